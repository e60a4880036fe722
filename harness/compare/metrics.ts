/**
 * Which per-trial metrics compare looks at, the short names `--metric` accepts, and the
 * `--threshold` parser. Metric names are the TrialMetrics names of the results contract.
 */
import { quote, UsageError } from '../errors.js';
import { METRIC_NAMES } from '../results/columns.js';
import type { MetricName } from '../results/types.js';

/**
 * Compared unless `--metric` says otherwise: web latency (p50, p99, p99.9), what an open loop
 * can reveal about the server (errors, timeouts, goodput), commit latency and transactions/s.
 * Left out: throughput, which an open-loop generator fixes at the offered rate (a row that is
 * always 1.00x carries no information and dilutes the Holm family); p90, max and the
 * uncorrected p99 (max is one sample per trial); late sends, which measure the load generator
 * rather than the server (compare notes them when they are many).
 */
export const DEFAULT_METRICS: readonly MetricName[] = [
  'latencyP50Us',
  'latencyP99Us',
  'latencyP999Us',
  'goodputFraction',
  'errorFraction',
  'timeoutFraction',
  'commitP50Us',
  'commitP99Us',
  'commitP999Us',
  'txnPerSec',
];

/** Short names for the command line; the full TrialMetrics names are accepted too. */
export const METRIC_ALIASES: Readonly<Record<string, MetricName>> = {
  p50: 'latencyP50Us',
  p90: 'latencyP90Us',
  p99: 'latencyP99Us',
  'p99.9': 'latencyP999Us',
  p999: 'latencyP999Us',
  max: 'latencyMaxUs',
  throughput: 'throughputRps',
  rps: 'throughputRps',
  goodput: 'goodputFraction',
  errors: 'errorFraction',
  timeouts: 'timeoutFraction',
  late: 'lateSendFraction',
  'uncorrected-p99': 'uncorrectedP99Us',
  'commit-p50': 'commitP50Us',
  'commit-p99': 'commitP99Us',
  'commit-p99.9': 'commitP999Us',
  'commit-p999': 'commitP999Us',
  tps: 'txnPerSec',
  txn: 'txnPerSec',
};

export function parseMetric(text: string): MetricName {
  const t = text.trim();
  const full = METRIC_NAMES.find((m) => m === t || m.toLowerCase() === t.toLowerCase());
  if (full) return full;
  const alias = METRIC_ALIASES[t.toLowerCase()];
  if (alias) return alias;
  throw new UsageError(
    'ISOBENCH_COMPARE_METRIC',
    `--metric: expected one of ${[...Object.keys(METRIC_ALIASES), ...METRIC_NAMES].join(', ')}, got ${quote(text)}`,
  );
}

/** `5%`, `5 %`, `0.05` -> 5 (percent). A bare number above 1 is refused: 5 could mean 5% or 500%. */
export function parseThreshold(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(%?)\s*$/.exec(text);
  const value = Number(m?.[1]);
  const pct = m?.[2] === '%' ? value : value * 100;
  if (!m || !Number.isFinite(pct) || (m[2] !== '%' && value >= 1) || !(pct > 0 && pct < 100)) {
    throw new UsageError(
      'ISOBENCH_COMPARE_THRESHOLD',
      `--threshold: expected a percentage above 0 and below 100 such as 5% or 0.05, got ${quote(text)}`,
    );
  }
  return pct;
}
