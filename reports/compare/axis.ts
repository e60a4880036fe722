/**
 * The axis of the compare page's interval-vs-band bars. Its middle zone is the terminal bar's
 * axis (barAxis: the band's centre ± 4 band half-widths, linear), the same on every row so the
 * band sits in the same place and rows compare by eye. When some row's interval or estimate
 * leaves it (a change of +3886% against a ±5% band), the page grows an outer zone on that side,
 * after a break: a log scale of how far beyond the middle zone's edge a value lies, out to a
 * round, labelled end (×50 for ratios, +5 pp for differences), shared by every row of the page
 * with the same scale. Nothing is pinned to an edge: every value is drawn where it lies.
 */
import type { CompareRow } from '../../harness/compare/compare.js';
import { barAxis, fmtEstimate } from '../../harness/compare/format.js';

export type Scale = CompareRow['scale'];
type Side = 'low' | 'high';

/** One scale's axis: the middle zone, and the end of each outer zone (null: no values there). */
export interface ScaleAxis {
  scale: Scale;
  min: number;
  max: number;
  centre: number;
  lowEnd: number | null;
  highEnd: number | null;
}

export interface PageAxis {
  ratio: ScaleAxis;
  difference: ScaleAxis;
  /** Whether the page has an outer zone on each side (some row of either scale needs it). */
  low: boolean;
  high: boolean;
}

/** How far beyond the middle zone's edge on `side` a value lies, as a factor (>1 beyond). */
function beyond(a: ScaleAxis, v: number, side: Side): number {
  if (a.scale === 'ratio') return side === 'high' ? v / a.max : a.min / v;
  return side === 'high' ? (v - a.centre) / (a.max - a.centre) : (a.centre - v) / (a.centre - a.min);
}

/** The smallest of 1, 2, 5, 10, 20, 50, ... that is at least x (x > 0). */
function niceAtLeast(x: number): number {
  const decade = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * decade).find((n) => n >= x * (1 - 1e-12)) as number;
}

/** The round end of an outer zone that holds `extreme` (a ratio, or a difference in fractions). */
function zoneEnd(a: ScaleAxis, extreme: number, side: Side): number {
  if (a.scale === 'ratio') {
    // Ratios end at ×2, ×5, ×10, ... above, ×0.5, ×0.2, ×0.1, ... below.
    if (side === 'high') return niceAtLeast(Math.max(extreme, a.max * 1.01));
    return 1 / niceAtLeast(1 / Math.max(Math.min(extreme, a.min / 1.01), 1e-12));
  }
  // Differences end at a round number of percentage points from the centre.
  const dist = Math.max(
    Math.abs(extreme - a.centre),
    Math.abs((side === 'high' ? a.max : a.min) - a.centre) * 1.01,
  );
  const end = niceAtLeast(dist * 100) / 100;
  return side === 'high' ? a.centre + end : a.centre - end;
}

/** The values a row draws: its estimate and interval ends. */
function values(row: Row): number[] {
  return [row.estimate, row.low, row.high].filter((v): v is number => v !== null && Number.isFinite(v));
}

function scaleAxis(scale: Scale, band: { low: number; high: number }, rows: Row[]): ScaleAxis {
  const { min, max } = barAxis(band);
  const a: ScaleAxis = { scale, min, max, centre: (band.low + band.high) / 2, lowEnd: null, highEnd: null };
  const all = rows.filter((r) => r.scale === scale).flatMap(values);
  const below = all.filter((v) => v < min);
  const above = all.filter((v) => v > max);
  if (below.length > 0) a.lowEnd = zoneEnd(a, Math.min(...below), 'low');
  if (above.length > 0) a.highEnd = zoneEnd(a, Math.max(...above), 'high');
  return a;
}

type Row = Pick<CompareRow, 'scale' | 'estimate' | 'low' | 'high'>;

/** The page's axes from the report's bands (ratio rows: report.band; difference rows: ±fractionBand) and its rows. */
export function pageAxis(report: {
  band: { low: number; high: number };
  fractionBand: number;
  rows: readonly Row[];
}): PageAxis {
  const rows = [...report.rows];
  const ratio = scaleAxis('ratio', report.band, rows);
  const difference = scaleAxis('difference', { low: -report.fractionBand, high: report.fractionBand }, rows);
  return {
    ratio,
    difference,
    low: ratio.lowEnd !== null || difference.lowEnd !== null,
    high: ratio.highEnd !== null || difference.highEnd !== null,
  };
}

/**
 * Where `v` lies on the bar, from 0 to 1 in each zone: `zone` is 'middle', or the outer zone
 * on a side (0 at the break, 1 at the labelled end). Values past an end (none, by
 * construction) and values a log cannot place (a ratio of 0) stay at the end.
 */
export function place(a: ScaleAxis, v: number): { zone: 'middle' | Side; at: number } {
  const clamp = (x: number) => (Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 1);
  for (const side of ['low', 'high'] as const) {
    const end = side === 'low' ? a.lowEnd : a.highEnd;
    const outside = side === 'low' ? v < a.min : v > a.max;
    if (!outside) continue;
    if (end === null) return { zone: 'middle', at: side === 'low' ? 0 : 1 };
    return { zone: side, at: clamp(Math.log(beyond(a, v, side)) / Math.log(beyond(a, end, side))) };
  }
  return { zone: 'middle', at: (v - a.min) / (a.max - a.min) };
}

/** The label of an outer zone's end: `×50`, `×0.02`, `+5 pp`. */
export function endLabel(a: ScaleAxis, end: number): string {
  if (a.scale === 'ratio') return `×${Number(end.toPrecision(6))}`;
  return fmtEstimate(a, end).replace(/\.0+ pp$/, ' pp');
}
