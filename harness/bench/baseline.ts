/**
 * `isobench bench --baseline FILE`: this run against an earlier bench.json, benchmark by
 * benchmark. The ratio to the peer measured in the same run is what is judged (a busier host
 * slows ours and the peer alike); the raw medians are shown beside it.
 */
import { readFileSync } from 'node:fs';
import { quote, UsageError } from '../errors.js';
import { formatValue } from './table.js';
import type { BenchFile, BenchResult } from './types.js';

/** A peer ratio this much worse than the baseline's is flagged (and the exit status is 1). */
export const WORSE_BY = 0.2;

export function readBenchFile(path: string): BenchFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError('ISOBENCH_BAD_BASELINE', `--baseline ${quote(path)}: ${(err as Error).message}`);
  }
  const f = parsed as Partial<BenchFile>;
  if (f.schema !== 'isobench-bench/1' || !Array.isArray(f.benchmarks))
    throw new UsageError(
      'ISOBENCH_BAD_BASELINE',
      `--baseline ${quote(path)}: not a bench.json (schema isobench-bench/1)`,
    );
  return f as BenchFile;
}

export interface BaselineRow {
  name: string;
  base: number;
  current: number;
  unit: string;
  /** The first peer both runs measured, and its ratio in each. */
  peer: string | null;
  baseRatio: number | null;
  currentRatio: number | null;
  /** The peer ratio moved the wrong way by more than WORSE_BY. */
  worse: boolean;
}

const higherIsBetter = (b: Extract<BenchResult, { status: 'ok' }>) => b.ours.unit === 'req/s';

export function compareBench(base: BenchFile, current: BenchFile): BaselineRow[] {
  const rows: BaselineRow[] = [];
  for (const c of current.benchmarks) {
    const b = base.benchmarks.find((x) => x.name === c.name);
    if (c.status !== 'ok' || b?.status !== 'ok') continue;
    const peer = Object.keys(c.ratios).find((p) => p in b.ratios) ?? null;
    const baseRatio = peer ? (b.ratios[peer] ?? null) : null;
    const currentRatio = peer ? (c.ratios[peer] ?? null) : null;
    let worse = false;
    if (baseRatio !== null && currentRatio !== null) {
      const change = currentRatio / baseRatio;
      worse = higherIsBetter(c) ? change < 1 - WORSE_BY : change > 1 + WORSE_BY;
    }
    rows.push({
      name: c.name,
      base: b.ours.median,
      current: c.ours.median,
      unit: c.ours.unit,
      peer,
      baseRatio,
      currentRatio,
      worse,
    });
  }
  return rows;
}

export function formatComparison(rows: BaselineRow[]): string {
  const ratio = (r: number | null) => (r === null ? '-' : `${r.toFixed(2)}x`);
  const lines = rows.map((r) =>
    [
      r.name.padEnd(14),
      formatValue(r.base, r.unit as never).padStart(10),
      '->',
      formatValue(r.current, r.unit as never).padStart(10),
      `  vs ${r.peer ?? '-'}: ${ratio(r.baseRatio)} -> ${ratio(r.currentRatio)}`,
      r.worse ? `  WORSE (ratio to its peer moved more than ${WORSE_BY * 100}%)` : '',
    ].join(' '),
  );
  return ['against the baseline (median, then the ratio to the same peer in each run):', ...lines, ''].join(
    '\n',
  );
}
