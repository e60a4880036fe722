import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from './mannwhitney.js';

// Reference values from scipy 1.17 (scipy.stats.mannwhitneyu, two-sided).
describe('mannWhitneyU', () => {
  it('matches scipy exact p-values without ties', () => {
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r).toMatchObject({ u: 17, n1: 5, n2: 4, method: 'exact' });
    expect(r.pValue).toBeCloseTo(0.1111111111111111, 12);
    const apart = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(apart.u).toBe(0);
    expect(apart.pValue).toBeCloseTo(0.007936507936507936, 12);
    expect(apart.probabilityGreater).toBe(0);
  });

  it('stays exact at the largest exact size (25 + 25)', () => {
    const x = [...Array.from({ length: 20 }, (_, i) => 2 * i), 100, 101, 102, 103, 104];
    const y = Array.from({ length: 25 }, (_, i) => 2 * i + 1.5);
    const r = mannWhitneyU(x, y);
    expect(r).toMatchObject({ u: 315, method: 'exact' });
    expect(r.pValue).toBeCloseTo(0.9693262277568346, 12);
  });

  it('matches scipy asymptotic p-values with ties', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5, 9, 10, 11], [2, 3, 4, 4, 5, 6, 7, 7, 8, 12, 13, 14]);
    expect(r).toMatchObject({ u: 40, method: 'normal' });
    expect(r.pValue).toBeCloseTo(0.11474296042656632, 6);
    const a = [
      103.5, 108.2, 103.3, 87.0, 109.1, 104.5, 94.6, 105.8, 103.6, 102.9, 100.3, 105.5, 92.6, 98.4, 95.2,
      106.0, 100.4, 97.1, 92.2, 97.4, 100.1, 97.2, 112.9, 110.1, 72.9, 81.1, 98.3, 95.8, 102.1, 102.2,
    ];
    const b = [
      129.2, 96.9, 104.2, 128.4, 114.5, 114.6, 102.9, 91.5, 109.7, 109.1, 95.7, 101.2, 107.3, 98.6, 107.0,
      109.0, 108.4, 102.9, 113.9, 116.9, 111.2, 99.8, 115.3, 103.0, 116.8,
    ];
    const big = mannWhitneyU(a, b);
    expect(big.u).toBe(181.5);
    expect(big.pValue).toBeCloseTo(0.0011039923586370203, 6);
  });

  it('is symmetric and gives p = 1 for identical samples', () => {
    const x = [3, 1, 4, 1, 5];
    expect(mannWhitneyU(x, x).pValue).toBe(1);
    const r1 = mannWhitneyU([1, 5, 9], [2, 3, 4, 6]);
    const r2 = mannWhitneyU([2, 3, 4, 6], [1, 5, 9]);
    expect(r1.u + r2.u).toBe(12);
    expect(r1.pValue).toBeCloseTo(r2.pValue ?? Number.NaN, 12);
  });

  it('has no p-value for an empty side', () => {
    expect(mannWhitneyU([], [1, 2]).pValue).toBeNull();
  });
});
