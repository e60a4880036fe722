/** Number formats and the interval-vs-band bar shared by the text, Markdown and HTML outputs. */
import type { CompareReport, CompareRow } from './compare.js';

/** A ratio as a signed change: 1.301 -> `+30.1%`. */
export function fmtChange(r: number | null): string {
  if (r === null) return 'n/a';
  const v = (r - 1) * 100;
  return `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(1)}%`;
}

/** The row's value in its unit: µs (ms above 10 ms), rps, tx/s; slowdown rows are ratios. */
export function fmtValue(row: Pick<CompareRow, 'metric' | 'kind'>, v: number | null): string {
  if (v === null) return 'n/a';
  if (row.kind === 'slowdown') return `${v.toFixed(2)}x`;
  if (row.metric === 'throughputRps') return `${v.toFixed(v >= 100 ? 0 : 1)} rps`;
  if (row.metric === 'txnPerSec') return `${v.toFixed(v >= 100 ? 0 : 1)} tx/s`;
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

/**
 * The bar's axis: ratios from 1 - 4t to 1 + 4t, so the band is the middle quarter on every row
 * of every report (one scale, so rows can be compared by eye). Beyond it, `<` or `>` marks an
 * interval that runs off the axis.
 */
export function barAxis(thresholdPct: number): { min: number; max: number } {
  const span = Math.min(0.99, (4 * thresholdPct) / 100);
  return { min: 1 - span, max: 1 + span };
}

/**
 * `[------|--==o===|------]`: `|` the band edges, `=` the 95% interval, `o` the ratio, `<`/`>`
 * an interval beyond the axis. Plain ASCII so it survives any terminal and a Markdown code span.
 */
export function asciiBar(
  row: Pick<CompareRow, 'ratio' | 'low' | 'high'>,
  thresholdPct: number,
  width = 25,
): string {
  const { min, max } = barAxis(thresholdPct);
  const t = thresholdPct / 100;
  const pos = (r: number) => Math.round(((r - min) / (max - min)) * (width - 1));
  const inAxis = (i: number) => Math.max(0, Math.min(width - 1, i));
  const cells = new Array<string>(width).fill('-');
  if (row.low !== null && row.high !== null) {
    const a = pos(row.low);
    const b = pos(row.high);
    for (let i = inAxis(a); i <= inAxis(b); i++) if (i >= a && i <= b) cells[i] = '=';
  }
  // The band edges stay visible over the interval: whether it crosses them is the point.
  cells[pos(1 - t)] = '|';
  cells[pos(1 + t)] = '|';
  if (row.low !== null && row.high !== null) {
    if (pos(row.low) < 0) cells[0] = '<';
    if (pos(row.high) > width - 1) cells[width - 1] = '>';
  }
  if (row.ratio !== null) {
    const p = pos(row.ratio);
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
} as const;

export function verdictSummary(report: CompareReport): string {
  const c = report.counts;
  return `${report.overall}: ${c.regression} regression, ${c.improvement} improvement, ${c['no-change']} no-change, ${c.inconclusive} inconclusive (of ${report.rows.length} rows)`;
}

/** `c1 web colocated latencyP99Us`, the row's name in every output. */
export function rowName(r: CompareRow): string {
  return `${r.cell} ${r.container} ${r.kind === 'slowdown' ? 'slowdown' : r.phase} ${r.metric}`;
}
