/**
 * Timing through tinybench: each task runs `iterations` times (no time budget: a container start
 * costs milliseconds, and the suite must end in minutes), after one warm-up call, and its latency
 * samples give the median and p99. Tasks run one after the other in the same process, so a peer
 * and ours see the same host in the same minute.
 */
import { Bench, type Fn } from 'tinybench';
import type { BenchUnit, Goal, Measurement, PeerResult } from './types.js';

export interface TimedTask {
  name: string;
  fn: Fn;
  /** A function that returns no promise (timed without an await). */
  sync?: true;
}

export async function timeTasks(tasks: TimedTask[], iterations: number): Promise<Measurement[]> {
  const bench = new Bench({
    iterations,
    time: 0,
    warmup: true,
    warmupIterations: 1,
    warmupTime: 0,
    throws: true,
  });
  // Always say whether a task is async: otherwise tinybench finds out by calling it once when it
  // is added, without awaiting it, and a process or container started that way overlaps the next.
  for (const t of tasks) bench.add(t.name, t.fn, { async: t.sync !== true });
  await bench.run();
  return bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== 'completed') throw new Error(`benchmark task ${task.name}: ${r.state}`);
    return {
      name: task.name,
      unit: 'ms',
      median: r.latency.p50,
      p99: r.latency.p99,
      samples: r.latency.samplesCount,
      mad: r.latency.mad,
    };
  });
}

/** Median and p99 (nearest rank) of figures that are not tinybench timings (CPU shares, req/s). */
export function summarize(name: string, unit: BenchUnit, values: number[]): Measurement {
  if (values.length === 0) throw new Error(`benchmark ${name}: no samples`);
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const median = medianOf(sorted);
  const mad = medianOf(sorted.map((v) => Math.abs(v - median)).sort((a, b) => a - b));
  return { name, unit, median, p99: at(0.99), samples: sorted.length, mad };
}

/** The median of sorted values (the mean of the middle two for an even count). */
function medianOf(sorted: number[]): number {
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1
    ? (sorted[Math.floor(mid)] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function okPeer(m: Measurement): PeerResult {
  return { status: 'ok', ...m };
}

/** ours / peer for every applicable peer. */
export function ratiosOf(ours: Measurement, peers: PeerResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of peers) if (p.status === 'ok' && p.median > 0) out[p.name] = ours.median / p.median;
  return out;
}

/** A goal on a ratio: null (not judged) when the peer was not applicable. */
export function ratioGoal(
  text: string,
  ratios: Record<string, number>,
  peer: string,
  ok: (r: number) => boolean,
): Goal {
  const ratio = ratios[peer];
  return { text, peer, pass: ratio === undefined ? null : ok(ratio) };
}
