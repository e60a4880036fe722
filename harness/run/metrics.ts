/** Turns a workload's final line and a load generator's result into a trial's headline metrics. */
import type { TrialMetrics } from '../results/types.js';

type Rec = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Rec | null => (typeof v === 'object' && v !== null ? (v as Rec) : null);

export function webMetrics(
  load: Rec | null,
  durationMs: number,
): { metrics: TrialMetrics; histogram?: string } {
  const lat = obj(load?.latencyUs);
  const unc = obj(load?.uncorrectedLatencyUs);
  const completed = num(load?.completed);
  const sent = num(load?.requests);
  const scheduled = num(load?.scheduled);
  const achievedRateHz = num(load?.achievedRateHz);
  // Fractions of the requests sent in the measured window; none when nothing was sent.
  const share = (v: unknown) => {
    const n = num(v);
    return n === null || sent === null || sent <= 0 ? null : n / sent;
  };
  const offeredRateHz = scheduled === null || durationMs <= 0 ? null : (scheduled * 1000) / durationMs;
  return {
    metrics: {
      latencyP50Us: num(lat?.p50),
      latencyP90Us: num(lat?.p90),
      latencyP99Us: num(lat?.p99),
      latencyP999Us: num(lat?.p999),
      latencyMaxUs: num(lat?.max),
      // Completed, not sent: an open-loop generator always sends at the planned rate. Recorded,
      // not judged: it equals the offered rate unless requests fail.
      throughputRps: completed === null ? null : completed / (durationMs / 1000),
      errorFraction: share(load?.errors),
      timeoutFraction: share(load?.timeouts),
      lateSendFraction: share(load?.late),
      goodputFraction:
        achievedRateHz === null || offeredRateHz === null || offeredRateHz <= 0
          ? null
          : achievedRateHz / offeredRateHz,
      uncorrectedP99Us: num(unc?.p99),
    },
    histogram: (obj(load?.histograms)?.latencyUs as string | undefined) ?? undefined,
  };
}

export function dbMetrics(final: Rec | null): { metrics: TrialMetrics; histogram?: string } {
  const commit = obj(final?.commitLatencyUs);
  return {
    metrics: {
      commitP50Us: num(commit?.p50),
      commitP99Us: num(commit?.p99),
      commitP999Us: num(commit?.p999),
      txnPerSec: num(final?.transactionsPerSec),
    },
    histogram: (commit?.histogram as string | undefined) ?? undefined,
  };
}
