import { describe, expect, it } from 'vitest';
import { median, percentile, quantile } from './quantiles.js';

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
