import { describe, expect, it } from 'vitest';
import { bootstrapMedianCI, bootstrapRatioCI } from './bootstrap.js';
import { createRng, normal } from './random.js';

describe('bootstrapMedianCI', () => {
  it('gives a degenerate interval for a constant sample', () => {
    const r = bootstrapMedianCI([5, 5, 5, 5, 5], { seed: 3 });
    expect(r.estimate).toBe(5);
    expect(r.interval).toEqual({ low: 5, high: 5 });
  });

  it('returns the point estimate with a null interval below 2 values', () => {
    expect(bootstrapMedianCI([42])).toMatchObject({ estimate: 42, interval: null, n: 1 });
    expect(bootstrapMedianCI([])).toMatchObject({ estimate: null, interval: null, n: 0 });
  });

  it('is reproducible for a seed and brackets the median', () => {
    const xs = [10, 12, 9, 15, 11, 30, 10.5, 13];
    const a = bootstrapMedianCI(xs, { seed: 11 });
    const b = bootstrapMedianCI(xs, { seed: 11 });
    expect(a).toEqual(b);
    expect(a.estimate).toBe(11.5);
    const { low, high } = a.interval ?? { low: Number.NaN, high: Number.NaN };
    expect(low).toBeLessThanOrEqual(11.5);
    expect(high).toBeGreaterThanOrEqual(11.5);
    expect(low).toBeGreaterThanOrEqual(9);
    expect(high).toBeLessThanOrEqual(30);
  });

  it('refuses nonsense options', () => {
    expect(() => bootstrapMedianCI([1, 2], { level: 95 })).toThrow(/95/);
    expect(() => bootstrapMedianCI([1, 2], { iterations: 0 })).toThrow(/iterations/);
  });

  it('covers the true median about 95% of the time on normal data', () => {
    // 400 synthetic experiments of 25 trials each; the percentile bootstrap of a median is
    // slightly liberal or conservative at small n, so accept a band around 95%.
    const experiments = 400;
    const n = 25;
    let covered = 0;
    for (let e = 0; e < experiments; e++) {
      const rng = createRng(1000 + e);
      const xs = Array.from({ length: n }, () => 100 + 10 * normal(rng));
      const { interval } = bootstrapMedianCI(xs, { seed: e, iterations: 2000 });
      if (interval && interval.low <= 100 && interval.high >= 100) covered++;
    }
    const coverage = covered / experiments;
    expect(coverage).toBeGreaterThan(0.9);
    expect(coverage).toBeLessThan(0.99);
  });
});

describe('bootstrapRatioCI', () => {
  it('contains 1 for identical samples', () => {
    const xs = [100, 104, 97, 110, 99, 101, 103];
    const r = bootstrapRatioCI(xs, xs, { seed: 5 });
    expect(r.estimate).toBe(1);
    expect(r.interval?.low).toBeLessThanOrEqual(1);
    expect(r.interval?.high).toBeGreaterThanOrEqual(1);
  });

  it('estimates a clear slowdown with an interval above 1', () => {
    const solo = [100, 102, 98, 101, 99, 100, 103];
    const colocated = solo.map((x) => x * 2);
    const r = bootstrapRatioCI(colocated, solo, { seed: 9 });
    expect(r.estimate).toBe(2);
    expect(r.interval?.low).toBeGreaterThan(1.5);
    expect(r.interval?.high).toBeLessThan(2.5);
    expect(r).toMatchObject({ nNumerator: 7, nDenominator: 7, level: 0.95, iterations: 10_000 });
  });

  it('returns a point estimate without interval for a single trial or a zero denominator', () => {
    expect(bootstrapRatioCI([3], [1, 2])).toMatchObject({ estimate: 2, interval: null });
    expect(bootstrapRatioCI([1, 2], [])).toMatchObject({ estimate: null, interval: null });
    expect(bootstrapRatioCI([1, 2], [0, 0, 1])).toMatchObject({
      estimate: Number.POSITIVE_INFINITY,
      interval: null,
    });
  });
});
