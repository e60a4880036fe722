/** How each metric is compared, and which ones are tail percentiles that need enough values beyond them. */
import type { MetricName } from './types.js';

/**
 * How a metric is compared: `ratio` (positive values, compared as candidate / base on a log
 * scale: latencies, rates) or `difference` (fractions that are often exactly 0, compared as
 * candidate - base: a ratio of 0 errors to 0 errors means nothing).
 */
export const METRIC_SCALE: Record<MetricName, 'ratio' | 'difference'> = {
  latencyP50Us: 'ratio',
  latencyP90Us: 'ratio',
  latencyP99Us: 'ratio',
  latencyP999Us: 'ratio',
  latencyMaxUs: 'ratio',
  throughputRps: 'ratio',
  errorFraction: 'difference',
  timeoutFraction: 'difference',
  lateSendFraction: 'difference',
  goodputFraction: 'ratio',
  uncorrectedP99Us: 'ratio',
  commitP50Us: 'ratio',
  commitP99Us: 'ratio',
  commitP999Us: 'ratio',
  txnPerSec: 'ratio',
};

/**
 * Tail percentiles and the share of a trial's values that lie beyond each (max: none). A tail
 * read from fewer than TAIL_MIN_SAMPLES values beyond it in a trial is flagged and left out of
 * verdicts by default: it rests on a handful of requests.
 */
export const TAIL_BEYOND: Partial<Record<MetricName, number>> = {
  latencyP90Us: 0.1,
  latencyP99Us: 0.01,
  latencyP999Us: 0.001,
  latencyMaxUs: 0,
  uncorrectedP99Us: 0.01,
  commitP99Us: 0.01,
  commitP999Us: 0.001,
};
export const TAIL_MIN_SAMPLES = 100;
