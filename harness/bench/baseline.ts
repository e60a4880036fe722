/**
 * `isobench bench --baseline FILE`: this run against an earlier bench.json, benchmark by
 * benchmark. The ratio to the peer measured in the same run is what is judged (a busier host
 * slows ours and the peer alike); the raw medians are shown beside it.
 */
import { readFileSync } from 'node:fs';
import { quote, UsageError } from '../errors.js';
import { STEAL_LIMIT_CORES } from './steal.js';
import { formatValue } from './table.js';
import type { BenchFile, BenchResult } from './types.js';

/**
 * A ratio to its peer is called worse only when it moved the wrong way by more than both of:
 * - FLOOR, whatever the spread (a steady figure may still drift this much between two runs), and
 * - NOISE_SPREADS times the two runs' own spread of that ratio (`ratioSpread`): two runs of the
 *   same commit on this shared host moved ratios by more than 20%, and by as much as their samples
 *   strayed from their medians.
 */
export const FLOOR = 0.2;
export const NOISE_SPREADS = 2;
/** MAD x this estimates a standard deviation (normal consistency). */
const MAD_TO_SD = 1.4826;

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
  /** current / base ratio, turned so that > 1 is worse (load-ceiling: base / current). */
  change: number | null;
  /** The relative spread of the ratio in both runs together (null: a figure without samples). */
  noise: number | null;
  /** The largest change called noise: 1 + max(FLOOR, NOISE_SPREADS x noise). */
  tolerated: number | null;
  /** The ratio to its peer moved the wrong way by more than `tolerated`. */
  worse: boolean;
  /**
   * The larger steal (cores) of the two runs when either was beyond the limit: the row is then
   * shown and not judged (a host that took the CPUs away moved it, whatever the change did).
   */
  underSteal: number | null;
}

type OkResult = Extract<BenchResult, { status: 'ok' }>;
type Measured = { median: number; mad?: number | null };

const higherIsBetter = (b: OkResult) => b.ours.unit === 'req/s';

/** A measurement's spread relative to its median (a robust coefficient of variation); null when unknown. */
export function relativeSpread(m: Measured): number | null {
  if (m.mad === undefined || m.mad === null || !(m.median > 0)) return null;
  return (MAD_TO_SD * m.mad) / m.median;
}

/**
 * The relative spread of ours / peer in one run: the two are measured independently, so their
 * relative spreads add in quadrature. null when either has none (one number, or an old file).
 */
export function ratioSpread(ours: Measured, peer: Measured): number | null {
  const a = relativeSpread(ours);
  const b = relativeSpread(peer);
  return a === null || b === null ? null : Math.hypot(a, b);
}

/** Whether a ratio moved the wrong way beyond the floor and beyond both runs' spread. */
export function judgeChange(
  change: number,
  baseSpread: number | null,
  currentSpread: number | null,
): { noise: number | null; tolerated: number; worse: boolean } {
  const noise = baseSpread === null || currentSpread === null ? null : Math.hypot(baseSpread, currentSpread);
  const tolerated = 1 + Math.max(FLOOR, NOISE_SPREADS * (noise ?? 0));
  return { noise, tolerated, worse: change > tolerated };
}

function peerOf(b: OkResult, name: string): Measured | null {
  const p = b.peers.find((x) => x.name === name);
  return p?.status === 'ok' ? p : null;
}

export function compareBench(base: BenchFile, current: BenchFile): BaselineRow[] {
  const rows: BaselineRow[] = [];
  for (const c of current.benchmarks) {
    const b = base.benchmarks.find((x) => x.name === c.name);
    if (c.status !== 'ok' || b?.status !== 'ok') continue;
    const peer = Object.keys(c.ratios).find((p) => p in b.ratios) ?? null;
    const baseRatio = peer ? (b.ratios[peer] ?? null) : null;
    const currentRatio = peer ? (c.ratios[peer] ?? null) : null;
    let judged: Pick<BaselineRow, 'change' | 'noise' | 'tolerated' | 'worse'> = {
      change: null,
      noise: null,
      tolerated: null,
      worse: false,
    };
    if (peer && baseRatio !== null && currentRatio !== null && baseRatio > 0 && currentRatio > 0) {
      const change = higherIsBetter(c) ? baseRatio / currentRatio : currentRatio / baseRatio;
      const spread = (r: OkResult) => {
        const p = peerOf(r, peer);
        return p ? ratioSpread(r.ours, p) : null;
      };
      judged = { change, ...judgeChange(change, spread(b), spread(c)) };
    }
    const steal = Math.max(b.stealCores ?? 0, c.stealCores ?? 0);
    const underSteal = steal > STEAL_LIMIT_CORES ? steal : null;
    if (underSteal !== null) judged.worse = false;
    rows.push({
      name: c.name,
      base: b.ours.median,
      current: c.ours.median,
      unit: c.ours.unit,
      peer,
      baseRatio,
      currentRatio,
      ...judged,
      underSteal,
    });
  }
  return rows;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

export function formatComparison(rows: BaselineRow[]): string {
  const ratio = (r: number | null) => (r === null ? '-' : `${r.toFixed(2)}x`);
  const lines = rows.map((r) =>
    [
      r.name.padEnd(14),
      formatValue(r.base, r.unit as never).padStart(10),
      '->',
      formatValue(r.current, r.unit as never).padStart(10),
      `  vs ${r.peer ?? '-'}: ${ratio(r.baseRatio)} -> ${ratio(r.currentRatio)}`,
      r.change === null || r.tolerated === null
        ? ''
        : r.underSteal !== null
          ? `  not judged: steal of ${r.underSteal.toFixed(2)} cores in a run (over ${STEAL_LIMIT_CORES})`
          : `  ${r.worse ? 'WORSE' : 'ok'}: ${r.change >= 1 ? `${pct(r.change - 1)} worse` : `${pct(1 - r.change)} better`}, tolerated ${pct(r.tolerated - 1)} (${r.noise === null ? 'no spread recorded: the floor' : `floor ${pct(FLOOR)}, ${NOISE_SPREADS} x spread ${pct(r.noise)}`})`,
    ].join(' '),
  );
  return [
    "against the baseline (median, then the ratio to the same peer in each run; a change is WORSE beyond both a floor and the two runs' own spread):",
    ...lines,
    '',
  ].join('\n');
}
