/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013, the algorithm behind most
 * time-series charting "decimators"): keeps the first and last points and, from each bucket in
 * between, the point that makes the largest triangle with its neighbours' picks. Unlike taking
 * every n-th sample or bucket means, it keeps spikes: a 2-second memory or PSI spike in an
 * hour-long run still shows in the report. The full series stays in samples.csv.
 */

/**
 * Indices of the points to keep, ascending; `xs` must be ascending. Returns every index when
 * there are no more than `threshold` points (or threshold < 3, which cannot keep both ends and
 * a middle).
 */
export function lttbIndices(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = xs.length;
  if (ys.length !== n) throw new RangeError(`lttb: ${n} x values but ${ys.length} y values`);
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const x = (i: number) => xs[i] as number;
  const y = (i: number) => ys[i] as number;
  const out: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // The next bucket's average is the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += x(j);
      avgY += y(j);
    }
    const count = Math.max(1, nextEnd - nextStart);
    avgX /= count;
    avgY /= count;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((x(a) - avgX) * (y(j) - y(a)) - (x(a) - x(j)) * (avgY - y(a)));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}

/** The points LTTB keeps, as parallel arrays. */
export function lttb(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  threshold: number,
): { xs: number[]; ys: number[] } {
  const keep = lttbIndices(xs, ys, threshold);
  return { xs: keep.map((i) => xs[i] as number), ys: keep.map((i) => ys[i] as number) };
}
