export type Arrivals = 'uniform' | 'poisson';

/**
 * Due times of every request, in ms after t0, for an open loop: uniform puts request i at
 * i/rate exactly (computed from i, never by adding intervals, so rounding cannot drift);
 * poisson draws exponential gaps with mean 1/rate. Only offsets < totalMs are kept.
 */
export function dueOffsetsMs(
  rateHz: number,
  totalMs: number,
  arrivals: Arrivals,
  random: () => number = Math.random,
): Float64Array {
  const intervalMs = 1000 / rateHz;
  if (arrivals === 'uniform') {
    const count = Math.ceil(totalMs / intervalMs - 1e-9);
    const out = new Float64Array(Math.max(0, count));
    for (let i = 0; i < out.length; i++) out[i] = (i * 1000) / rateHz;
    return out;
  }
  const offsets: number[] = [];
  let t = 0;
  while (t < totalMs) {
    offsets.push(t);
    // 1 - random() is in (0, 1], so log never sees 0.
    t += -Math.log(1 - random()) * intervalMs;
  }
  return Float64Array.from(offsets);
}

/** A small deterministic PRNG (mulberry32) so a Poisson schedule can be replayed from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
