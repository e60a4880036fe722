/**
 * Percentile-bootstrap confidence intervals over trials (the trial is the unit of analysis):
 * the median of per-trial values, and the slowdown ratio median(colocated) / median(solo).
 *
 * Why the percentile bootstrap: per-trial tail latencies are skewed and few (5 to 30 trials),
 * so a t interval on the mean is wrong twice; criterion.rs and the mmtests random-effects
 * argument both resample whole trials. Resampling is seeded so that a reported interval can be
 * re-derived exactly from results.json.
 */

import { medianSorted, quantileSorted, sortedAscending } from './quantiles.js';
import { createRng, type Rng, randomIndex } from './random.js';

export interface BootstrapOptions {
  /** Resamples; 10,000 keeps the Monte Carlo error of a 95% bound well under 1% of its width. */
  iterations?: number;
  /** Two-sided confidence level in (0, 1). */
  level?: number;
  seed?: number;
}

export const DEFAULT_BOOTSTRAP_ITERATIONS = 10_000;
export const DEFAULT_BOOTSTRAP_LEVEL = 0.95;
export const DEFAULT_BOOTSTRAP_SEED = 1;

export interface Interval {
  low: number;
  high: number;
}

/**
 * A point estimate and its interval. `estimate` is null when a side has no values;
 * `interval` is null when a side has fewer than 2 values (nothing to resample) or the
 * estimate is not finite (a zero denominator).
 */
export interface BootstrapEstimate {
  estimate: number | null;
  interval: Interval | null;
  level: number;
  iterations: number;
  seed: number;
}

export interface MedianEstimate extends BootstrapEstimate {
  n: number;
}

export interface RatioEstimate extends BootstrapEstimate {
  nNumerator: number;
  nDenominator: number;
}

function resolveOptions(opts: BootstrapOptions): Required<BootstrapOptions> {
  const iterations = opts.iterations ?? DEFAULT_BOOTSTRAP_ITERATIONS;
  const level = opts.level ?? DEFAULT_BOOTSTRAP_LEVEL;
  const seed = opts.seed ?? DEFAULT_BOOTSTRAP_SEED;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(`bootstrap iterations must be a positive integer, got ${iterations}`);
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap level must be within (0, 1), got ${level}`);
  return { iterations, level, seed };
}

/** Median of one resample (with replacement) of `sorted`, using `scratch` as work space. */
export function resampleMedian(sorted: readonly number[], scratch: Float64Array, rng: Rng): number {
  for (let i = 0; i < scratch.length; i++) scratch[i] = sorted[randomIndex(rng, sorted.length)] as number;
  scratch.sort();
  const mid = scratch.length >> 1;
  return scratch.length % 2 === 1
    ? (scratch[mid] as number)
    : ((scratch[mid - 1] as number) + (scratch[mid] as number)) / 2;
}

function percentileInterval(stats: number[], level: number): Interval {
  stats.sort((x, y) => x - y);
  const alpha = 1 - level;
  return { low: quantileSorted(stats, alpha / 2), high: quantileSorted(stats, 1 - alpha / 2) };
}

/** Median of `values` with a percentile-bootstrap interval. */
export function bootstrapMedianCI(values: readonly number[], opts: BootstrapOptions = {}): MedianEstimate {
  const { iterations, level, seed } = resolveOptions(opts);
  const sorted = sortedAscending(values);
  const base = { level, iterations, seed, n: sorted.length };
  if (sorted.length === 0) return { ...base, estimate: null, interval: null };
  const estimate = medianSorted(sorted);
  if (sorted.length < 2) return { ...base, estimate, interval: null };
  const rng = createRng(seed);
  const scratch = new Float64Array(sorted.length);
  const stats = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) stats[i] = resampleMedian(sorted, scratch, rng);
  return { ...base, estimate, interval: percentileInterval(stats, level) };
}

/**
 * median(numerator) / median(denominator) with a percentile-bootstrap interval, resampling
 * both sides independently (colocated and solo trials are separate runs, not pairs).
 * Slowdown is bootstrapRatioCI(colocatedP99s, soloP99s).
 */
export function bootstrapRatioCI(
  numerator: readonly number[],
  denominator: readonly number[],
  opts: BootstrapOptions = {},
): RatioEstimate {
  const { iterations, level, seed } = resolveOptions(opts);
  const num = sortedAscending(numerator);
  const den = sortedAscending(denominator);
  const base = { level, iterations, seed, nNumerator: num.length, nDenominator: den.length };
  if (num.length === 0 || den.length === 0) return { ...base, estimate: null, interval: null };
  const estimate = medianSorted(num) / medianSorted(den);
  if (num.length < 2 || den.length < 2 || !Number.isFinite(estimate)) {
    return { ...base, estimate, interval: null };
  }
  const rng = createRng(seed);
  const numScratch = new Float64Array(num.length);
  const denScratch = new Float64Array(den.length);
  const stats: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const ratio = resampleMedian(num, numScratch, rng) / resampleMedian(den, denScratch, rng);
    // A resample whose denominator median is 0 has no ratio; an interval built from the
    // rest would be silently narrower than the truth, so give up on the interval instead.
    if (!Number.isFinite(ratio)) return { ...base, estimate, interval: null };
    stats.push(ratio);
  }
  return { ...base, estimate, interval: percentileInterval(stats, level) };
}
