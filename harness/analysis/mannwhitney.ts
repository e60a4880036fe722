/**
 * Two-sided Mann-Whitney U test over per-trial values: the cross-check that the statistics
 * digest pairs with the bootstrap CI (as Google benchmark's compare.py does), because it
 * assumes nothing about the shape of tail latencies.
 *
 * Exact null distribution when there are no ties and the samples are small (it is what
 * scipy's `method='exact'` gives); otherwise the normal approximation with tie correction
 * and continuity correction (scipy's `method='asymptotic'`, R's `wilcox.test(correct=TRUE)`).
 */

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, plus half the ties. */
  u: number;
  n1: number;
  n2: number;
  /** Two-sided p-value; null when a sample is empty. */
  pValue: number | null;
  method: 'exact' | 'normal';
  /** U / (n1 n2): the probability that a value from the first sample exceeds one from the second. */
  probabilityGreater: number | null;
}

/**
 * With n1 + n2 <= 50, every count of the exact distribution (at most C(50, 25) ~ 1.3e14) is an
 * integer below 2^53, so the arithmetic is exact in doubles.
 */
const EXACT_MAX_TOTAL = 50;

/** Midranks (1-based) of the pooled sample, and the tie-group sizes. */
function rank(pooled: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = pooled.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(pooled.length);
  const tieSizes: number[] = [];
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.[0] === order[i]?.[0]) j++;
    const midrank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]?.[1] as number] = midrank;
    if (j > i) tieSizes.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, tieSizes };
}

/**
 * Counts of U = 0..n1*n2 under the null: the coefficients of the Gaussian binomial
 * [n1+n2 choose n1]_q, built as prod_{i=1..n1} (1 - q^(n2+i)) / (1 - q^i).
 */
function exactCounts(n1: number, n2: number): number[] {
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

function exactPValue(u: number, n1: number, n2: number): number {
  const counts = exactCounts(n1, n2);
  const total = counts.reduce((a, b) => a + b, 0);
  let lower = 0;
  for (let k = 0; k <= Math.floor(u); k++) lower += counts[k] as number;
  let upper = 0;
  for (let k = Math.ceil(u); k < counts.length; k++) upper += counts[k] as number;
  return Math.min(1, (2 * Math.min(lower, upper)) / total);
}

/** erfc with fractional error below 1.2e-7 (Numerical Recipes' Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + z / 2);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

function normalPValue(u: number, n1: number, n2: number, tieSizes: readonly number[]): number {
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const tieTerm = tieSizes.reduce((sum, t) => sum + (t ** 3 - t), 0) / (n * (n - 1));
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm);
  if (variance <= 0) return 1; // every value tied: no evidence either way
  const z = Math.max(0, Math.abs(u - mean) - 0.5) / Math.sqrt(variance);
  return Math.min(1, erfc(z / Math.SQRT2));
}

export function mannWhitneyU(x: readonly number[], y: readonly number[]): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: 0, n1, n2, pValue: null, method: 'normal', probabilityGreater: null };
  for (const v of [...x, ...y]) if (Number.isNaN(v)) throw new RangeError('sample contains NaN');
  const { ranks, tieSizes } = rank([...x, ...y]);
  const r1 = ranks.slice(0, n1).reduce((a, b) => a + b, 0);
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const exact = tieSizes.length === 0 && n1 + n2 <= EXACT_MAX_TOTAL;
  return {
    u,
    n1,
    n2,
    pValue: exact ? exactPValue(u, n1, n2) : normalPValue(u, n1, n2, tieSizes),
    method: exact ? 'exact' : 'normal',
    probabilityGreater: u / (n1 * n2),
  };
}
