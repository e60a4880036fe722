import { describe, expect, it } from 'vitest';
import { median, medianIntervalSorted, percentile, quantile } from './quantiles.js';
import { createRng, normal } from './random.js';

describe('quantiles', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('interpolates like R type 7 / NumPy linear', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 90)).toBeCloseTo(9.1, 10);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 100)).toBe(10);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
  });

  it('refuses empty samples, NaN and out-of-range quantiles', () => {
    expect(() => median([])).toThrow(/empty/);
    expect(() => median([1, Number.NaN])).toThrow(/NaN/);
    expect(() => quantile([1], 1.5)).toThrow(/1.5/);
  });

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});

describe('medianIntervalSorted (binomial order statistics)', () => {
  it('gives [x(2), x(9)] of 10 values (coverage 97.9%) and nothing below 6 values', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(medianIntervalSorted(xs)).toEqual({ low: 2, high: 9 });
    expect(medianIntervalSorted([1, 2, 3, 4, 5, 6])).toEqual({ low: 1, high: 6 });
    // [min, max] of 5 values covers 1 - 2/32 = 93.75%, of 3 values 75%: not 95% intervals.
    expect(medianIntervalSorted([1, 2, 3, 4, 5])).toBeNull();
    expect(medianIntervalSorted([1, 2, 3])).toBeNull();
  });

  it('covers the true median at least 95% of the time on skewed data', () => {
    const rng = createRng(8);
    let covered = 0;
    const runs = 4000;
    for (let k = 0; k < runs; k++) {
      const xs = Array.from({ length: 10 }, () => Math.exp(normal(rng))).sort((a, b) => a - b);
      const iv = medianIntervalSorted(xs);
      if (iv && iv.low <= 1 && 1 <= iv.high) covered++;
    }
    expect(covered / runs).toBeGreaterThan(0.97);
  });
});
