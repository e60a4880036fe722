/**
 * Dotted paths into a scenario (`containers.db.limits.io.max.wbps`), used by `--set`, cells
 * and sweeps. Limit keys and sweep paths contain dots themselves, so splitting is positional:
 * after `containers.NAME.limits.` or `.params.`, `cells.N.set.` and `sweep.`, the rest of the
 * path is one key.
 */
import { z } from 'zod';
import { quote } from '../errors.js';
import { scenarioSchema } from './schema.js';
import type { PathSegment } from './source.js';

/** Fields of a container whose keys are free-form and may contain dots. */
const DOTTED_KEY_FIELDS = new Set(['limits', 'params']);

export type SplitPath = { ok: true; segments: string[] } | { ok: false; message: string };

export function splitPath(path: string): SplitPath {
  const parts = path.split('.');
  if (parts.some((p) => p.trim() === '' || p !== p.trim())) {
    return {
      ok: false,
      message: `expected a dotted path such as containers.db.limits.memory.max, got ${quote(path)}`,
    };
  }
  const rest = (from: number) => (parts.length > from ? [parts.slice(from).join('.')] : []);
  const [top, second, third] = parts;
  if (top === 'sweep') return { ok: true, segments: ['sweep', ...rest(1)] };
  if (top === 'containers' && third !== undefined && DOTTED_KEY_FIELDS.has(third)) {
    return { ok: true, segments: [top, second as string, third, ...rest(3)] };
  }
  if (top === 'cells' && third === 'set')
    return { ok: true, segments: [top, second as string, third, ...rest(3)] };
  return { ok: true, segments: parts };
}

export function joinPath(segments: readonly PathSegment[]): string {
  return segments.map(String).join('.');
}

/** True when `path` is `prefix` or lies under it. */
export function isUnder(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => String(s) === String(path[i]));
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPrefault)
    s = s.unwrap() as z.ZodType;
  return s;
}

/** The schema of a child of `schema`, or undefined when there is no such field. */
function childSchema(schema: z.ZodType, segment: string): z.ZodType | undefined {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    const field = (s.shape as Record<string, z.ZodType>)[segment];
    return field === undefined ? undefined : unwrap(field);
  }
  if (s instanceof z.ZodRecord) return unwrap(s.valueType as z.ZodType);
  if (s instanceof z.ZodArray) return unwrap(s.element as z.ZodType);
  return undefined;
}

/** Schema at a data path, unwrapped of optional and default; undefined when the path is not in the format. */
export function schemaAt(path: readonly PathSegment[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = scenarioSchema;
  for (const segment of path) {
    s = s === undefined ? undefined : childSchema(s, String(segment));
  }
  return s;
}

/** Field names the object at `path` accepts (for "unknown field" messages). */
export function fieldsAt(path: readonly PathSegment[]): string[] {
  const s = schemaAt(path);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

const isContainer = (v: unknown): v is Record<string, unknown> | unknown[] =>
  typeof v === 'object' && v !== null;

function describeParent(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'the scenario' : joinPath(path);
}

/**
 * Writes `value` at `segments` inside `root`, creating missing optional mappings on the way
 * (a container's limits, params or load). Returns a message when the path cannot exist:
 * an unknown field, a container that is not defined, an index past the end of a list.
 */
export function setIn(
  root: Record<string, unknown>,
  segments: readonly string[],
  value: unknown,
): string | null {
  if (segments.length === 0) return 'expected a path to a field, got an empty path';
  let node: unknown = root;
  for (const [i, segment] of segments.entries()) {
    const parentPath = segments.slice(0, i);
    const parentSchema = schemaAt(parentPath);
    const here = parentSchema === undefined ? undefined : unwrap(parentSchema);
    if (here instanceof z.ZodObject && !(segment in here.shape)) {
      return `no field ${quote(segment)} in ${describeParent(parentPath)}; expected one of ${fieldsAt(parentPath).join(', ')}`;
    }
    if (!isContainer(node)) return `${describeParent(parentPath)} is not a mapping or a list`;
    if (Array.isArray(node)) {
      const index = Number(segment);
      if (!Number.isInteger(index) || index < 0 || index >= node.length) {
        return `no item ${quote(segment)} in ${describeParent(parentPath)} (it has ${node.length})`;
      }
    }
    const container = node as Record<string, unknown>;
    if (i === segments.length - 1) {
      container[segment] = value;
      return null;
    }
    let child = container[segment];
    if (child === undefined || child === null) {
      const childType = schemaAt([...parentPath, segment]);
      if (here instanceof z.ZodRecord) {
        const what = parentPath.length === 1 && parentPath[0] === 'containers' ? 'container' : 'entry';
        const have = Object.keys(container);
        return `no ${what} ${quote(segment)} in ${describeParent(parentPath)} (${have.length > 0 ? `have ${have.join(', ')}` : 'it is empty'})`;
      }
      if (!(childType instanceof z.ZodObject || childType instanceof z.ZodRecord)) {
        return `${joinPath([...parentPath, segment])} is not set, so it has no ${quote(segments[i + 1])}`;
      }
      child = {};
      container[segment] = child;
    }
    node = child;
  }
  return null;
}
