/**
 * Ranking helpers shared by the rank tests: midranks with tie groups, and order statistics
 * of pairwise averages and differences (the Hodges-Lehmann family of estimators).
 */

/** Midranks (1-based) of `values`, and the sizes of tie groups (2 or more equal values). */
export function midranks(values: readonly number[]): { ranks: number[]; tieSizes: number[] } {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
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

/** Refuses NaN: it sorts nowhere and would make every rank meaningless. */
export function assertNoNaN(values: readonly number[]): void {
  for (const v of values) if (Number.isNaN(v)) throw new RangeError('sample contains NaN');
}

/** The k-th smallest (1-based) of an ascending array, clamped to its ends. */
export function orderStat(sorted: Float64Array | readonly number[], k: number): number {
  const i = Math.min(sorted.length, Math.max(1, k)) - 1;
  return sorted[i] as number;
}

/** Median of an ascending Float64Array. */
export function medianOfSorted(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Walsh averages (d_i + d_j) / 2 for i <= j, ascending: n(n+1)/2 of them. */
export function walshAverages(d: readonly number[]): Float64Array {
  const n = d.length;
  const out = new Float64Array((n * (n + 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) out[k++] = ((d[i] as number) + (d[j] as number)) / 2;
  return out.sort();
}

/** Pairwise differences y_j - x_i, ascending: n_x n_y of them. */
export function pairwiseDifferences(x: readonly number[], y: readonly number[]): Float64Array {
  const out = new Float64Array(x.length * y.length);
  let k = 0;
  for (const yj of y) for (const xi of x) out[k++] = yj - xi;
  return out.sort();
}
