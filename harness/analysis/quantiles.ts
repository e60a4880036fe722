/**
 * Order statistics over plain samples (per-trial values such as one trial's p99).
 * Latency percentiles inside a trial come from merged HDR histograms (histograms.ts), never
 * from these helpers applied to per-window percentiles: averaging or re-ranking window
 * percentiles does not give the percentile of the whole trial.
 */

/** Ascending copy; NaN is refused because it sorts nowhere and would poison every quantile. */
export function sortedAscending(values: readonly number[]): number[] {
  for (const v of values) {
    if (Number.isNaN(v)) throw new RangeError('sample contains NaN');
  }
  return values.slice().sort((x, y) => x - y);
}

/**
 * Quantile q in [0, 1] of an already sorted sample, by linear interpolation between closest
 * ranks (Hyndman & Fan type 7, the default of R and NumPy), so results match those tools.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return lo === hi || a === b ? a : a + (h - lo) * (b - a);
}

/** Quantile q in [0, 1] of an unsorted sample. */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(sortedAscending(values), q);
}

/** Percentile p in [0, 100] of an unsorted sample (p99 is percentile(values, 99)). */
export function percentile(values: readonly number[], p: number): number {
  return quantile(values, p / 100);
}

/** Median of an unsorted sample: the mean of the two middle values when the count is even. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median of a sorted sample, without copying. */
export function medianSorted(sorted: readonly number[]): number {
  return quantileSorted(sorted, 0.5);
}

const binomialCdfCache = new Map<number, Float64Array>();

/** P(B <= j) for B ~ Binomial(n, 1/2), j = 0..n. */
function halfBinomialCdf(n: number): Float64Array {
  let cdf = binomialCdfCache.get(n);
  if (!cdf) {
    cdf = new Float64Array(n + 1);
    // log C(n, j) - n log 2, summed in order: exact enough for any n a run has.
    let logC = 0;
    let acc = 0;
    for (let j = 0; j <= n; j++) {
      if (j > 0) logC += Math.log((n - j + 1) / j);
      acc += Math.exp(logC - n * Math.LN2);
      cdf[j] = Math.min(1, acc);
    }
    binomialCdfCache.set(n, cdf);
  }
  return cdf;
}

/**
 * The distribution-free interval of a median from order statistics (the binomial
 * order-statistic interval mmtests reports): [x_(k), x_(n-k+1)] with the largest k such that
 * P(Binomial(n, 1/2) <= k - 1) <= (1 - level) / 2. Its coverage is at least `level` for any
 * continuous distribution; null when no such k exists (fewer than 6 values for 95%), since
 * [min, max] of 5 values covers only 93.75% and of 3 values 75%.
 */
export function medianIntervalSorted(
  sorted: readonly number[],
  level = 0.95,
): { low: number; high: number } | null {
  const n = sorted.length;
  if (n === 0) return null;
  const cdf = halfBinomialCdf(n);
  const half = (1 - level) / 2;
  let k = 0;
  while (k <= n && (cdf[k] as number) <= half + 1e-12) k++;
  if (k < 1) return null;
  return { low: sorted[k - 1] as number, high: sorted[n - k] as number };
}
