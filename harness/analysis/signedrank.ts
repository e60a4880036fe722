/**
 * Wilcoxon's signed-rank test and its Hodges-Lehmann estimate, for paired trials: one
 * difference per pair (a per-block log ratio of candidate over base, or of co-located over
 * solo). Rank methods because per-trial tail latencies are skewed and heavy-tailed (a t test on
 * means is what lkp and Bencher users moved away from), and exact because a normal
 * approximation at 10 pairs misstates the tail probabilities that a verdict rests on.
 *
 * - The test: the exact permutation distribution of T+ under random signs, with ties handled by
 *   midranks and zero differences kept in the ranking but given no sign (Pratt's treatment),
 *   computed by dynamic programming over doubled ranks (integers). Exact up to 400 nonzero
 *   differences; a normal limit with tie correction above.
 * - The estimate: the median of the Walsh averages (Hodges-Lehmann); its interval the Walsh
 *   averages at the order statistics that the signed-rank distribution gives (Hollander & Wolfe,
 *   ch. 3; R's wilcox.test(conf.int = TRUE)). Its level is at least the one asked for; below
 *   6 pairs no 95% interval exists (the whole range has coverage 1 - 2/2^n = 93.75% at 5).
 */
import { normalQuantile, normalSf } from './normal.js';
import { assertNoNaN, medianOfSorted, midranks, orderStat, walshAverages } from './ranks.js';

export interface SignedRankResult {
  n: number;
  /** Differences that are not zero: only those carry a sign. */
  nonzero: number;
  /** Sum of the midranks of |d| over the positive differences. */
  tPlus: number;
  /** Two-sided p-value; null without differences. */
  pValue: number | null;
  /** The smallest two-sided p-value any data with this many nonzero differences could give. */
  minPValue: number | null;
  method: 'exact' | 'normal';
}

/** Largest count of nonzero differences for the exact distribution (the DP is O(n^3)). */
const EXACT_MAX = 400;

/** P(T = s) for s in 0..sum(r), T the sum of a random subset of the integer scores r (each in with p 1/2). */
function subsetSumDistribution(scores: readonly number[]): Float64Array {
  const total = scores.reduce((a, b) => a + b, 0);
  const dist = new Float64Array(total + 1);
  dist[0] = 1;
  let top = 0;
  for (const r of scores) {
    top += r;
    for (let s = top; s >= 0; s--) {
      const without = dist[s] as number;
      const withIt = s >= r ? (dist[s - r] as number) : 0;
      dist[s] = 0.5 * without + 0.5 * withIt;
    }
  }
  return dist;
}

function twoSidedFromDistribution(dist: Float64Array, observed: number): number {
  let lower = 0;
  for (let s = 0; s <= observed && s < dist.length; s++) lower += dist[s] as number;
  let upper = 0;
  for (let s = Math.max(0, observed); s < dist.length; s++) upper += dist[s] as number;
  return Math.min(1, 2 * Math.min(lower, upper));
}

export function signedRankTest(d: readonly number[]): SignedRankResult {
  assertNoNaN(d);
  const n = d.length;
  if (n === 0) return { n, nonzero: 0, tPlus: 0, pValue: null, minPValue: null, method: 'exact' };
  const { ranks } = midranks(d.map(Math.abs));
  const doubled: number[] = [];
  let tPlus2 = 0;
  d.forEach((v, i) => {
    if (v === 0) return;
    const r2 = Math.round(2 * (ranks[i] as number));
    doubled.push(r2);
    if (v > 0) tPlus2 += r2;
  });
  const k = doubled.length;
  const base = { n, nonzero: k, tPlus: tPlus2 / 2 };
  // All differences zero: no sign can be permuted, so there is no evidence either way.
  if (k === 0) return { ...base, pValue: 1, minPValue: 1, method: 'exact' };
  const minPValue = Math.min(1, 2 * 0.5 ** k);
  if (k <= EXACT_MAX) {
    const pValue = twoSidedFromDistribution(subsetSumDistribution(doubled), tPlus2);
    return { ...base, pValue, minPValue, method: 'exact' };
  }
  // Normal limit in doubled-rank units: mean sum/2, variance sum(r^2)/4 (ties included).
  const mean = doubled.reduce((a, b) => a + b, 0) / 2;
  const variance = doubled.reduce((a, b) => a + b * b, 0) / 4;
  const z = Math.max(0, Math.abs(tPlus2 - mean) - 1) / Math.sqrt(variance);
  return { ...base, pValue: Math.min(1, 2 * normalSf(z)), minPValue, method: 'normal' };
}

const untiedCdfCache = new Map<number, Float64Array>();

/** P(T+ <= s) for n untied, nonzero differences (ranks 1..n). */
function untiedCdf(n: number): Float64Array {
  let cdf = untiedCdfCache.get(n);
  if (!cdf) {
    const dist = subsetSumDistribution(Array.from({ length: n }, (_, i) => i + 1));
    cdf = new Float64Array(dist.length);
    let acc = 0;
    dist.forEach((p, s) => {
      acc += p;
      (cdf as Float64Array)[s] = acc;
    });
    untiedCdfCache.set(n, cdf);
  }
  return cdf;
}

/**
 * The order statistic k (1-based) of the M = n(n+1)/2 Walsh averages that bounds a two-sided
 * interval of level >= 1 - alpha: the largest k with P(T+ <= k - 1) <= alpha / 2. Null when
 * even the whole range is short of the level (too few pairs).
 */
export function signedRankCriticalK(n: number, alpha: number): number | null {
  if (n < 1) return null;
  if (n > EXACT_MAX) {
    const m = (n * (n + 1)) / 4;
    const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
    const k = Math.floor(m - normalQuantile(1 - alpha / 2) * sd);
    return k >= 1 ? k : null;
  }
  const cdf = untiedCdf(n);
  let k = 0;
  while (k < cdf.length && (cdf[k] as number) <= alpha / 2 + 1e-12) k++;
  // cdf[k - 1] <= alpha/2 holds for k - 1 < this k: P(T+ <= k - 1) <= alpha/2.
  return k >= 1 ? k : null;
}

export interface ShiftEstimate {
  estimate: number | null;
  /** Two-sided intervals at the levels asked for; null when not attainable. */
  intervals: Record<string, { low: number; high: number } | null>;
}

/**
 * Hodges-Lehmann estimate of the centre of the differences, with signed-rank intervals at each
 * two-sided `alphas` (0.05 for a 95% interval, 0.1 for the 90% interval of an equivalence test).
 */
export function hodgesLehmannPaired(d: readonly number[], alphas: readonly number[]): ShiftEstimate {
  assertNoNaN(d);
  const intervals: ShiftEstimate['intervals'] = {};
  if (d.length === 0) {
    for (const a of alphas) intervals[String(a)] = null;
    return { estimate: null, intervals };
  }
  const w = walshAverages(d);
  for (const a of alphas) {
    const k = signedRankCriticalK(d.length, a);
    intervals[String(a)] = k === null ? null : { low: orderStat(w, k), high: orderStat(w, w.length - k + 1) };
  }
  return { estimate: medianOfSorted(w), intervals };
}
