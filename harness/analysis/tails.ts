/**
 * How many values lie beyond a tail percentile in one trial: a p99 of 2,000 requests is the
 * 20th-slowest request, an anecdote rather than a figure. The counts come from what the trial
 * recorded: the load generator's latency summary (web) or the workload's commit latency
 * summary (db).
 */
import { type MetricName, TAIL_BEYOND, type TrialContainer } from '../results/types.js';

const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;

function countOf(c: TrialContainer, metric: MetricName): number | null {
  const summary =
    metric === 'uncorrectedP99Us'
      ? obj(c.load?.uncorrectedLatencyUs)
      : metric.startsWith('commit')
        ? obj(c.final?.commitLatencyUs)
        : obj(c.load?.latencyUs);
  const n = summary?.count;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** Values beyond `metric`'s percentile in this trial; null for a metric that is no tail percentile, or unknown. */
export function tailSamplesOf(c: TrialContainer, metric: MetricName): number | null {
  const beyond = TAIL_BEYOND[metric];
  if (beyond === undefined) return null;
  const n = countOf(c, metric);
  return n === null ? null : Math.floor(n * beyond);
}

/** The fewest values beyond the percentile over these trials' containers (null: not a tail, or unknown). */
export function fewestTailSamples(cs: readonly TrialContainer[], metric: MetricName): number | null {
  let fewest: number | null = null;
  for (const c of cs) {
    const k = tailSamplesOf(c, metric);
    if (k !== null) fewest = fewest === null ? k : Math.min(fewest, k);
  }
  return fewest;
}
