/**
 * Cells: the named overlays under `cells` crossed with every combination of `sweep` values.
 * Each cell is a list of (path, value) overrides of the base document, remembering where
 * each value is written so that a bad one is reported at its own line.
 */
import { quote } from '../errors.js';
import { isUnder, joinPath, setIn, splitPath } from './paths.js';
import type { PathSegment } from './source.js';
import type { DataIssue } from './structure.js';
import type { Scalar } from './types.js';

export interface CellOverride {
  /** Data path the value goes to. */
  segments: string[];
  value: Scalar;
  /** Where the value is written in the file: ['cells', 1, 'set', PATH] or ['sweep', PATH, 2]. */
  docPath: PathSegment[];
}

export interface CellDraft {
  id: string;
  name: string;
  settings: Record<string, Scalar>;
  overrides: CellOverride[];
}

/** Cells and sweeps change what a trial runs, not how the run is laid out. */
const CELL_TARGETS = new Set(['duration', 'warmup', 'sampleInterval', 'containers']);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is Scalar => ['string', 'number', 'boolean'].includes(typeof v);

/** Checks that a path names a field a cell may change; returns its segments or an issue. */
function target(
  raw: Obj,
  path: string,
  keyPath: PathSegment[],
): { segments: string[] } | { issue: DataIssue } {
  const split = splitPath(path);
  const fail = (message: string) => ({ issue: { path: keyPath, at: 'key' as const, message } });
  if (!split.ok) return fail(split.message);
  const [top] = split.segments;
  if (top === undefined || !CELL_TARGETS.has(top)) {
    return fail(
      `cells and sweeps may change duration, warmup, sampleInterval or containers.*, got ${quote(path)} (use --set for the whole run)`,
    );
  }
  // Dry run on a copy: reports a container or field that does not exist.
  const problem = setIn(structuredClone(raw), split.segments, null);
  return problem === null ? { segments: split.segments } : fail(problem);
}

/** `containers.db.limits.io.max.wbps` -> `db.io.max.wbps` for cell names. */
function shortLabel(segments: readonly string[]): string {
  const [top, name, field, ...rest] = segments;
  if (top !== 'containers' || name === undefined) return segments.join('.');
  if (field === 'limits' || field === 'params') return [name, ...rest].join('.');
  return [name, field, ...rest].filter((s) => s !== undefined).join('.');
}

interface Axis {
  path: string;
  segments: string[];
  values: { value: Scalar; docPath: PathSegment[] }[];
}

function sweepAxes(raw: Obj, issues: DataIssue[]): Axis[] {
  if (!isObj(raw.sweep)) return [];
  const axes: Axis[] = [];
  for (const [path, values] of Object.entries(raw.sweep)) {
    const t = target(raw, path, ['sweep', path]);
    if ('issue' in t) {
      issues.push(t.issue);
      continue;
    }
    // Non-lists, empty lists and non-scalar values are reported by the schema.
    if (!Array.isArray(values) || values.length === 0) continue;
    const scalars = values.flatMap((value, j) =>
      isScalar(value) ? [{ value, docPath: ['sweep', path, j] }] : [],
    );
    if (scalars.length > 0) axes.push({ path, segments: t.segments, values: scalars });
  }
  return axes;
}

interface Overlay {
  name: string | null;
  overrides: CellOverride[];
}

function namedOverlays(raw: Obj, axes: readonly Axis[], issues: DataIssue[]): Overlay[] {
  if (!Array.isArray(raw.cells) || raw.cells.length === 0) return [{ name: null, overrides: [] }];
  return raw.cells.map((cell, i): Overlay => {
    const name = isObj(cell) && typeof cell.name === 'string' ? cell.name : `cells.${i}`;
    const overrides: CellOverride[] = [];
    if (!isObj(cell) || !isObj(cell.set)) return { name, overrides };
    for (const [path, value] of Object.entries(cell.set)) {
      const keyPath: PathSegment[] = ['cells', i, 'set', path];
      const t = target(raw, path, keyPath);
      if ('issue' in t) {
        issues.push(t.issue);
        continue;
      }
      const swept = axes.find((a) => isUnder(t.segments, a.segments) || isUnder(a.segments, t.segments));
      if (swept) {
        issues.push({
          path: keyPath,
          at: 'key',
          message: `also swept by sweep.${swept.path}; set a path in cells or sweep it, not both`,
        });
        continue;
      }
      if (isScalar(value)) overrides.push({ segments: t.segments, value, docPath: [...keyPath] });
    }
    return { name, overrides };
  });
}

/** Every combination of sweep values, first axis outermost (so the first path changes slowest). */
function combinations(axes: readonly Axis[]): CellOverride[][] {
  let combos: CellOverride[][] = [[]];
  for (const axis of axes) {
    combos = combos.flatMap((combo) =>
      axis.values.map((v) => [...combo, { segments: axis.segments, value: v.value, docPath: v.docPath }]),
    );
  }
  return combos;
}

/** Expands `cells` x `sweep` into cell drafts; with neither, one cell named `default`. */
export function draftCells(raw: Obj): { cells: CellDraft[]; issues: DataIssue[] } {
  const issues: DataIssue[] = [];
  const axes = sweepAxes(raw, issues);
  const overlays = namedOverlays(raw, axes, issues);
  const combos = combinations(axes);
  const cells: CellDraft[] = [];
  for (const overlay of overlays) {
    for (const combo of combos) {
      const overrides = [...overlay.overrides, ...combo];
      const sweepLabel = combo.map((o) => `${shortLabel(o.segments)}=${o.value}`).join(', ');
      const name = [overlay.name, sweepLabel].filter((s) => s !== null && s !== '').join(' / ') || 'default';
      const settings: Record<string, Scalar> = {};
      for (const o of overrides) settings[joinPath(o.segments)] = o.value;
      cells.push({ id: `c${cells.length + 1}`, name, settings, overrides });
    }
  }
  return { cells, issues };
}
