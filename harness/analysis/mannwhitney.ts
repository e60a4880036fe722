/**
 * Two-sided Mann-Whitney U test over per-trial values of two independent runs, and its
 * Hodges-Lehmann shift estimate with the interval that inverts the test. Rank methods because
 * tail latencies are skewed (statistics digest, section 3); exact because at 10 trials a side
 * a normal approximation misstates the tail probabilities a verdict rests on.
 *
 * The test: the exact permutation distribution of the rank sum, ties included (midranks; a
 * dynamic program over doubled ranks counts the subsets of each size and sum), when the two
 * samples hold at most 50 values together; above that, the normal approximation with tie and
 * continuity correction (scipy's `method='asymptotic'`, R's `wilcox.test(correct=TRUE)`).
 * Without ties the exact p-values are scipy's `method='exact'`.
 *
 * The shift: the median of the pairwise differences y_j - x_i, with the interval between the
 * order statistics that the untied null distribution of U gives (Hollander & Wolfe, ch. 4).
 */
import { normalQuantile, normalSf } from './normal.js';
import { assertNoNaN, medianOfSorted, midranks, orderStat, pairwiseDifferences } from './ranks.js';

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, plus half the ties. */
  u: number;
  n1: number;
  n2: number;
  /** Two-sided p-value; null when a sample is empty. */
  pValue: number | null;
  /**
   * The smallest two-sided p-value any split of these values could give: 2 / C(n1 + n2, n1)
   * without ties, more with them (1 when every value is tied: no evidence is possible).
   */
  minPValue: number | null;
  method: 'exact' | 'normal';
  /** U / (n1 n2): the probability that a value from the first sample exceeds one from the second. */
  probabilityGreater: number | null;
}

/**
 * With n1 + n2 <= 50, every count of the exact distribution (at most C(50, 25) ~ 1.3e14) is an
 * integer below 2^53, so the arithmetic is exact in doubles.
 */
const EXACT_MAX_TOTAL = 50;

/**
 * Counts of U = 0..n1*n2 under the null without ties: the coefficients of the Gaussian binomial
 * [n1+n2 choose n1]_q, built as prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i).
 */
function untiedCounts(n1: number, n2: number): number[] {
  const degree = n1 * n2;
  const c = new Array<number>(degree + 1).fill(0);
  c[0] = 1;
  for (let i = 1; i <= n1; i++) {
    const shift = n2 + i;
    for (let k = degree; k >= shift; k--) c[k] = (c[k] as number) - (c[k - shift] as number);
    for (let k = i; k <= degree; k++) c[k] = (c[k] as number) + (c[k - i] as number);
  }
  return c;
}

/**
 * Counts of the sum of `size` scores drawn without replacement from `scores` (integers), by
 * sum: the permutation distribution of a rank sum with ties (scores = doubled midranks).
 */
function subsetSumCounts(scores: readonly number[], size: number): Float64Array {
  const total = scores.reduce((a, b) => a + b, 0);
  // rows[j][s]: subsets of j scores seen so far with sum s.
  const rows = Array.from({ length: size + 1 }, () => new Float64Array(total + 1));
  (rows[0] as Float64Array)[0] = 1;
  let top = 0;
  for (const r of scores) {
    top += r;
    for (let j = size; j >= 1; j--) {
      const to = rows[j] as Float64Array;
      const from = rows[j - 1] as Float64Array;
      for (let s = top; s >= r; s--) to[s] = (to[s] as number) + (from[s - r] as number);
    }
  }
  return rows[size] as Float64Array;
}

/** Two-sided p, and the smallest p any split of these (tied) ranks could give. */
function exactPValue(
  doubledRanks: readonly number[],
  n1: number,
  observed2: number,
  tied: boolean,
): { p: number; minP: number } {
  if (!tied) {
    // Without ties the distribution depends on the sizes only: U's, cached.
    const n2 = doubledRanks.length - n1;
    const u = observed2 / 2 - (n1 * (n1 + 1)) / 2;
    const cdf = untiedCdf(n1, n2);
    const lower = cdf[Math.floor(u + 1e-9)] as number;
    const upper = 1 - (Math.ceil(u - 1e-9) > 0 ? (cdf[Math.ceil(u - 1e-9) - 1] as number) : 0);
    return { p: Math.min(1, 2 * Math.min(lower, upper)), minP: Math.min(1, 2 * (cdf[0] as number)) };
  }
  const counts = subsetSumCounts(doubledRanks, n1);
  let total = 0;
  let lower = 0;
  let upper = 0;
  let first = -1;
  let last = -1;
  counts.forEach((c, s) => {
    total += c;
    if (s <= observed2) lower += c;
    if (s >= observed2) upper += c;
    if (c > 0) {
      if (first < 0) first = s;
      last = s;
    }
  });
  // With ties the extreme splits can be likelier (all values tied: no split is extreme at all).
  const minP = Math.min(1, (2 * Math.min(counts[first] as number, counts[last] as number)) / total);
  return { p: Math.min(1, (2 * Math.min(lower, upper)) / total), minP: first === last ? 1 : minP };
}

function normalPValue(u: number, n1: number, n2: number, tieSizes: readonly number[]): number {
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const tieTerm = tieSizes.reduce((sum, t) => sum + (t ** 3 - t), 0) / (n * (n - 1));
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm);
  if (variance <= 0) return 1; // every value tied: no evidence either way
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return Math.min(1, 2 * normalSf(z));
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) {
    return { u: 0, n1, n2, pValue: null, minPValue: null, method: 'normal', probabilityGreater: null };
  }
  assertNoNaN(x);
  assertNoNaN(y);
  const { ranks, tieSizes } = midranks([...x, ...y]);
  const r1 = ranks.slice(0, n1).reduce((a, b) => a + b, 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const exact = n1 + n2 <= EXACT_MAX_TOTAL;
  const doubled = ranks.map((r) => Math.round(2 * r));
  const e = exact ? exactPValue(doubled, n1, Math.round(2 * r1), tieSizes.length > 0) : null;
  const allTied = tieSizes.length === 1 && tieSizes[0] === n1 + n2;
  return {
    u,
    n1,
    n2,
    pValue: e ? e.p : normalPValue(u, n1, n2, tieSizes),
    minPValue: e ? e.minP : allTied ? 1 : Math.min(1, 2 / binomial(n1 + n2, n1)),
    method: exact ? 'exact' : 'normal',
    probabilityGreater: u / (n1 * n2),
  };
}

const untiedCdfCache = new Map<string, number[]>();

/** P(U <= u), u = 0..n1 n2, without ties (U of the first sample; symmetric in the sizes). */
function untiedCdf(n1: number, n2: number): number[] {
  const key = `${Math.min(n1, n2)}x${Math.max(n1, n2)}`;
  let cdf = untiedCdfCache.get(key);
  if (!cdf) {
    const counts = untiedCounts(Math.min(n1, n2), Math.max(n1, n2));
    const total = counts.reduce((a, b) => a + b, 0);
    let acc = 0;
    cdf = counts.map((c) => {
      acc += c;
      return acc / total;
    });
    untiedCdfCache.set(key, cdf);
  }
  return cdf;
}

/**
 * The order statistic k (1-based) of the n1 n2 pairwise differences that bounds a two-sided
 * interval of level >= 1 - alpha: the largest k with P(U <= k - 1) <= alpha / 2; null when even
 * the whole range is short of the level.
 */
export function mannWhitneyCriticalK(n1: number, n2: number, alpha: number): number | null {
  if (n1 < 1 || n2 < 1) return null;
  if (n1 + n2 > EXACT_MAX_TOTAL) {
    const sd = Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
    const k = Math.floor((n1 * n2) / 2 - normalQuantile(1 - alpha / 2) * sd);
    return k >= 1 ? k : null;
  }
  const cdf = untiedCdf(n1, n2);
  let k = 0;
  while (k < cdf.length && (cdf[k] as number) <= alpha / 2 + 1e-12) k++;
  return k >= 1 ? k : null;
}

/**
 * Hodges-Lehmann shift of `y` over `x` (the median of y_j - x_i) with Mann-Whitney intervals at
 * each two-sided alpha.
 */
export function hodgesLehmannShift(
  x: readonly number[],
  y: readonly number[],
  alphas: readonly number[],
): { estimate: number | null; intervals: Record<string, { low: number; high: number } | null> } {
  assertNoNaN(x);
  assertNoNaN(y);
  const intervals: Record<string, { low: number; high: number } | null> = {};
  if (x.length === 0 || y.length === 0) {
    for (const a of alphas) intervals[String(a)] = null;
    return { estimate: null, intervals };
  }
  const d = pairwiseDifferences(x, y);
  for (const a of alphas) {
    const k = mannWhitneyCriticalK(x.length, y.length, a);
    intervals[String(a)] = k === null ? null : { low: orderStat(d, k), high: orderStat(d, d.length - k + 1) };
  }
  return { estimate: medianOfSorted(d), intervals };
}
