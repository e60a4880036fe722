/**
 * Pure statistics for the runner and compare: per-trial summaries and their uncertainty.
 * Nothing here reads files or touches the system. Run and compare use the exact rank methods
 * (signedrank.ts, mannwhitney.ts, effect.ts) and order statistics (quantiles.ts); the
 * percentile bootstrap (bootstrap.ts) is kept for analyses that want it, not used by them.
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
export {
  type Effect,
  type EffectOptions,
  type PairingMethod,
  pairedEffect,
  type Scale,
  unpairedEffect,
} from './effect.js';
export {
  groupSequentialNominal,
  nominalAlphaAtLastLook,
  obrienFlemingSpend,
  pocockSpend,
  type Spending,
} from './groupseq.js';
export { type LatencyPercentilesUs, mergeHistograms } from './histograms.js';
export {
  hodgesLehmannShift,
  type MannWhitneyResult,
  mannWhitneyCriticalK,
  mannWhitneyU,
} from './mannwhitney.js';
export { normalCdf, normalQuantile } from './normal.js';
export {
  median,
  medianIntervalSorted,
  medianSorted,
  percentile,
  quantile,
  quantileSorted,
  sortedAscending,
} from './quantiles.js';
export { createRng, normal, type Rng, randomIndex, seedFromString, shuffled } from './random.js';
export {
  hodgesLehmannPaired,
  type SignedRankResult,
  signedRankCriticalK,
  signedRankTest,
} from './signedrank.js';
export { fewestTailSamples, tailSamplesOf } from './tails.js';
