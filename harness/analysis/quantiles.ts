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
