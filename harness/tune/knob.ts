/**
 * `--knob PATH=LO..HI`: a setting the search may change, by the dotted path `--set` and a
 * cell's `set:` use (containers.db.limits.io.max.wbps), over a range. The search works in a
 * position u from the tightest end (0) to the loosest (1): on a log scale when the range spans
 * more than RATIO_FOR_LOG (bytes/s from 1MiB to 200MiB: each halving matters as much as the
 * next), linearly otherwise (cpu.weight 100..300).
 *
 * Which end is looser: the one that gives the other containers more, so the victim is worse
 * off. That is the higher value of a limit on any other container (more io.max, more
 * cpu.weight for the database), and the lower value of a limit on the victim itself (less
 * cpu.weight for the web server). A range written high to low (`PATH=200MiB..1MiB`) says the
 * opposite of that default.
 */
import { quote, UsageError } from '../errors.js';
import { splitPath } from '../scenario/paths.js';
import { formatBytes, parseSize } from '../units.js';

/** Ranges wider than this ratio are searched on a log scale (geometric midpoints). */
export const RATIO_FOR_LOG = 4;

export interface Knob {
  /** As typed after --knob. */
  text: string;
  path: string;
  /** The container the path is under, or null (duration, warmup ...). */
  container: string | null;
  unit: 'bytes' | 'number';
  integer: boolean;
  /** The tightest and loosest values (in bytes for `bytes`). */
  tight: number;
  loose: number;
  scale: 'geometric' | 'arithmetic';
  /** Why the looser end is the one it is, for the plan. */
  looserRule: string;
}

const bad = (text: string, why: string) =>
  new UsageError('ISOBENCH_BAD_KNOB', `--knob ${quote(text)}: ${why}`);

function parseEnd(s: string, text: string): { value: number; unit: 'bytes' | 'number' } {
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return { value: Number(t), unit: 'number' };
  if (/^\d+(\.\d+)?\s*[a-z]+$/i.test(t)) {
    try {
      return { value: parseSize(t.replace(/\/s$/i, '')), unit: 'bytes' };
    } catch {
      throw bad(text, `expected a number or a size such as 200MiB at each end, got ${quote(t)}`);
    }
  }
  throw bad(
    text,
    `expected a number or a size such as 200MiB at each end, got ${quote(t)} (max, the absence of a limit, cannot be an end: give the loosest value to try)`,
  );
}

export function parseKnob(text: string, victim: string): Knob {
  const eq = text.indexOf('=');
  if (eq <= 0) throw bad(text, 'expected PATH=LO..HI such as containers.db.limits.io.max.wbps=1MiB..200MiB');
  const path = text.slice(0, eq).trim();
  const range = text.slice(eq + 1);
  const split = splitPath(path);
  if (!split.ok) throw bad(text, split.message);
  const ends = range.split('..');
  if (ends.length !== 2) throw bad(text, `expected a range LO..HI such as 1MiB..200MiB, got ${quote(range)}`);
  const a = parseEnd(ends[0] as string, text);
  const b = parseEnd(ends[1] as string, text);
  if (a.value === b.value) throw bad(text, 'the two ends are equal: nothing to search');
  const unit = a.unit === 'bytes' || b.unit === 'bytes' ? 'bytes' : 'number';
  const [top, name, field] = split.segments;
  const container = top === 'containers' && name !== undefined ? name : null;
  const onVictim = container === victim && field === 'limits';
  const lo = Math.min(a.value, b.value);
  const hi = Math.max(a.value, b.value);
  const written = a.value < b.value ? 'ascending' : 'descending';
  // Default: higher is looser, but lower on the victim's own limits; written high to low flips it.
  const higherLooser = onVictim === (written === 'descending');
  const looserRule = `${higherLooser ? 'higher' : 'lower'} is looser (${
    onVictim ? 'a limit on the victim itself: less for it is more for the others' : 'more for this container'
  }${written === 'descending' ? ', reversed because the range is written high to low' : ''})`;
  const integer = unit === 'bytes' || (Number.isInteger(lo) && Number.isInteger(hi));
  return {
    text,
    path,
    container,
    unit,
    integer,
    tight: higherLooser ? lo : hi,
    loose: higherLooser ? hi : lo,
    scale: lo > 0 && hi / lo > RATIO_FOR_LOG ? 'geometric' : 'arithmetic',
    looserRule,
  };
}

/** The value at position u (0 = tightest, 1 = loosest), rounded for integer knobs. */
export function valueAt(k: Knob, u: number): number {
  const v = k.scale === 'geometric' ? k.tight * (k.loose / k.tight) ** u : k.tight + (k.loose - k.tight) * u;
  if (u <= 0) return k.tight;
  if (u >= 1) return k.loose;
  return k.integer ? Math.round(v) : v;
}

/** The position of a value (inverse of valueAt). */
export function positionOf(k: Knob, v: number): number {
  return k.scale === 'geometric'
    ? Math.log(v / k.tight) / Math.log(k.loose / k.tight)
    : (v - k.tight) / (k.loose - k.tight);
}

/** `40MiB`, `250`, `0.5`. */
export function formatKnobValue(k: Knob, v: number): string {
  if (k.unit === 'bytes') return formatBytes(v);
  return k.integer ? String(Math.round(v)) : String(Number(v.toPrecision(4)));
}

/** `db.io.max.wbps` from `containers.db.limits.io.max.wbps`, for tables and axes. */
export function knobLabel(k: Knob): string {
  const split = splitPath(k.path);
  if (!split.ok) return k.path;
  const [top, name, field, ...rest] = split.segments;
  if (top !== 'containers' || name === undefined) return k.path;
  if (field === 'limits' || field === 'params') return [name, ...rest].join('.');
  return [name, field, ...rest].filter((s) => s !== undefined).join('.');
}

/**
 * `--resolution 10%` (the default): the search stops narrowing a knob when its bracket (the
 * loosest value that met the SLO, the tightest that did not) is that close: the loose end within
 * 10% of the other on a log scale, or within 10% of the range on a linear one; integer knobs
 * also stop at neighbouring integers.
 */
export function parseResolution(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  const pct = Number(m?.[1]);
  if (!m || !(pct > 0 && pct < 100)) {
    throw new UsageError(
      'ISOBENCH_TUNE_OPTION',
      `--resolution: expected a percentage above 0 and below 100 such as 10%, got ${quote(text)}`,
    );
  }
  return pct / 100;
}

/** Whether the bracket [u1, u2] of a knob is narrow enough to stop. */
export function bracketDone(k: Knob, u1: number, u2: number, resolution: number): boolean {
  const v1 = valueAt(k, u1);
  const v2 = valueAt(k, u2);
  if (k.integer && Math.abs(v2 - v1) <= 1) return true;
  if (k.scale === 'geometric') return Math.max(v1, v2) / Math.min(v1, v2) <= 1 + resolution + 1e-12;
  return Math.abs(u2 - u1) <= resolution + 1e-12;
}
