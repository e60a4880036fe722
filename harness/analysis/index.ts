/**
 * Pure statistics for the runner and compare: per-trial summaries and their uncertainty.
 * Nothing here reads files or touches the system.
 */
export {
  type BootstrapEstimate,
  type BootstrapOptions,
  bootstrapMedianCI,
  bootstrapRatioCI,
  DEFAULT_BOOTSTRAP_ITERATIONS,
  DEFAULT_BOOTSTRAP_LEVEL,
  DEFAULT_BOOTSTRAP_SEED,
  type Interval,
  type MedianEstimate,
  type RatioEstimate,
} from './bootstrap.js';
export { type LatencyPercentilesUs, mergeHistograms } from './histograms.js';
export { type MannWhitneyResult, mannWhitneyU } from './mannwhitney.js';
export { median, medianSorted, percentile, quantile, quantileSorted, sortedAscending } from './quantiles.js';
export { createRng, normal, type Rng, randomIndex, seedFromString, shuffled } from './random.js';
