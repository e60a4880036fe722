/** Number formats and the interval-vs-band bar shared by the text, Markdown and HTML outputs. */
import type { CompareReport, CompareRow } from './compare.js';
import type { Band } from './stats.js';

/** A ratio as a signed change: 1.301 -> `+30.1%`. */
export function fmtChange(r: number | null): string {
  if (r === null) return 'n/a';
  const v = (r - 1) * 100;
  return `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(1)}%`;
}

/** A difference of fractions in percentage points: 0.0012 -> `+0.12 pp`. */
export function fmtPoints(d: number | null): string {
  if (d === null) return 'n/a';
  return `${d >= 0 ? '+' : '-'}${Math.abs(d * 100).toFixed(2)} pp`;
}

/** A row's estimate or interval end in its scale: a change in % (ratio rows) or in pp (difference rows). */
export function fmtEstimate(row: Pick<CompareRow, 'scale'>, v: number | null): string {
  return row.scale === 'difference' ? fmtPoints(v) : fmtChange(v);
}

/** `-2.1% … +3.0%`, or `n/a`. */
export function fmtInterval(row: Pick<CompareRow, 'scale'>, low: number | null, high: number | null): string {
  return low === null || high === null ? 'n/a' : `${fmtEstimate(row, low)} … ${fmtEstimate(row, high)}`;
}

/** The row's value in its unit: µs (ms above 10 ms), rps, tx/s, %; slowdown rows are ratios. */
export function fmtValue(row: Pick<CompareRow, 'metric' | 'kind'>, v: number | null): string {
  if (v === null) return 'n/a';
  if (row.kind === 'slowdown') return `${v.toFixed(2)}x`;
  if (row.metric === 'throughputRps') return `${v.toFixed(v >= 100 ? 0 : 1)} rps`;
  if (row.metric === 'txnPerSec') return `${v.toFixed(v >= 100 ? 0 : 1)} tx/s`;
  if (row.metric.endsWith('Fraction')) return `${(v * 100).toFixed(v >= 0.1 ? 1 : 2)}%`;
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} ms`;
  return `${v.toFixed(v >= 100 ? 0 : 1)} µs`;
}

export function fmtP(p: number | null): string {
  if (p === null) return 'n/a';
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

/** `[0.95, 1.05]` as `±5%`. */
export function fmtBand(report: Pick<CompareReport, 'thresholdPct'>): string {
  return `±${report.thresholdPct}%`;
}

/** An interval's level: `95%`, `97.5%`. */
export const fmtLevel = (level: number) => `${Math.round(level * 1000) / 10}%`;

/** The titles of the row table's columns in the text and HTML outputs. */
export function rowColumns(report: Pick<CompareReport, 'levels'>): string[] {
  const interval = `${fmtLevel(report.levels.interval)} interval`;
  const figures = ['base', 'candidate', 'change', interval, 'interval vs band', 'p(Holm)', 'n', 'verdict'];
  return ['cell', 'container', 'phase', 'metric', ...figures];
}

/** `10 pairs` or `10/9`. */
export function fmtN(row: Pick<CompareRow, 'method' | 'nBase' | 'nCand'>): string {
  return row.method === 'paired' ? `${row.nBase} pairs` : `${row.nBase}/${row.nCand}`;
}

/**
 * The bar's axis: from the band's centre, 4 band half-widths either way (ratios from 1 - 4t to
 * 1 + 4t), so the band is the middle quarter on every row of every report (one scale per kind
 * of row, so rows can be compared by eye). Beyond it, `<` or `>` marks an interval that runs off.
 */
export function barAxis(band: Pick<Band, 'low' | 'high'>): { min: number; max: number } {
  const centre = (band.low + band.high) / 2;
  const half = (band.high - band.low) / 2;
  // A ratio axis stays above 0.
  const span = centre === 1 ? Math.min(0.99, 4 * half) : 4 * half;
  return { min: centre - span, max: centre + span };
}

/**
 * `[------|--==o===|------]`: `|` the band edges, `=` the interval, `o` the estimate, `<`/`>`
 * an interval beyond the axis. Plain ASCII so it survives any terminal and a Markdown code span.
 */
export function asciiBar(
  row: Pick<CompareRow, 'estimate' | 'low' | 'high'> & { band: Pick<Band, 'low' | 'high'> },
  width = 25,
): string {
  const { min, max } = barAxis(row.band);
  const pos = (r: number) => Math.round(((r - min) / (max - min)) * (width - 1));
  const inAxis = (i: number) => Math.max(0, Math.min(width - 1, i));
  const cells = new Array<string>(width).fill('-');
  if (row.low !== null && row.high !== null) {
    const a = pos(row.low);
    const b = pos(row.high);
    for (let i = inAxis(a); i <= inAxis(b); i++) if (i >= a && i <= b) cells[i] = '=';
  }
  // The band edges stay visible over the interval: whether it crosses them is the point.
  cells[pos(row.band.low)] = '|';
  cells[pos(row.band.high)] = '|';
  if (row.low !== null && row.high !== null) {
    if (pos(row.low) < 0) cells[0] = '<';
    if (pos(row.high) > width - 1) cells[width - 1] = '>';
  }
  if (row.estimate !== null) {
    const p = pos(row.estimate);
    if (p < 0) cells[0] = '<';
    else if (p > width - 1) cells[width - 1] = '>';
    else cells[p] = 'o';
  }
  return `[${cells.join('')}]`;
}

export const VERDICT_LABEL = {
  regression: 'REGRESSION',
  improvement: 'improvement',
  'no-change': 'no-change',
  inconclusive: 'inconclusive',
  excluded: 'excluded',
} as const;

export function verdictSummary(report: CompareReport): string {
  const c = report.counts;
  const excluded = c.excluded > 0 ? `; ${c.excluded} excluded (thin tails, not judged)` : '';
  return `${report.overall}: ${c.regression} regression, ${c.improvement} improvement, ${c['no-change']} no-change, ${c.inconclusive} inconclusive (of ${report.rows.length - c.excluded} judged rows${excluded})`;
}

/** `c1 web colocated latencyP99Us`, the row's name in every output. */
export function rowName(r: CompareRow): string {
  return `${r.cell} ${r.container} ${r.kind === 'slowdown' ? 'slowdown' : r.phase} ${r.metric}`;
}

/** The phase column: the phase, or `slowdown CO/SOLO`. */
export function phaseLabel(r: Pick<CompareRow, 'kind' | 'phase'>): string {
  return r.kind === 'slowdown' ? `slowdown ${r.phase}` : r.phase;
}
