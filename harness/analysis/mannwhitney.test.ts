import { describe, expect, it } from 'vitest';
import { hodgesLehmannShift, mannWhitneyCriticalK, mannWhitneyU } from './mannwhitney.js';
import { createRng, normal } from './random.js';

/**
 * Two-sided p by enumerating every split of the pooled sample, ranks by midrank (ties included):
 * twice the smaller tail, as scipy's exact method (with ties the distribution need not be symmetric).
 */
function enumeratedTiedP(x: number[], y: number[]): number {
  const pooled = [...x, ...y];
  const sorted = [...pooled].sort((a, b) => a - b);
  const rank = (v: number) => (sorted.indexOf(v) + sorted.lastIndexOf(v)) / 2 + 1;
  const ranks = pooled.map(rank);
  const observed = x.reduce((s, v) => s + rank(v), 0);
  let lower = 0;
  let upper = 0;
  let total = 0;
  const pick = (start: number, left: number, sum: number) => {
    if (left === 0) {
      total++;
      if (sum <= observed + 1e-9) lower++;
      if (sum >= observed - 1e-9) upper++;
      return;
    }
    for (let i = start; i <= pooled.length - left; i++) pick(i + 1, left - 1, sum + (ranks[i] as number));
  };
  pick(0, x.length, 0);
  return Math.min(1, (2 * Math.min(lower, upper)) / total);
}

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

  it('is exact with ties up to 50 values: equal to enumerating every split of the pooled sample', () => {
    // The old rule used the normal approximation as soon as a tie appeared (scipy asymptotic:
    // 0.1147 here); the permutation distribution of the midrank sum is exact instead.
    const x = [1, 2, 2, 3, 3, 3, 4, 5];
    const y = [2, 3, 4, 4, 5, 6, 7, 7, 8];
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(enumeratedTiedP(x, y), 12);
    const rng = createRng(17);
    for (let k = 0; k < 20; k++) {
      const a = Array.from({ length: 3 + (k % 5) }, () => Math.round(4 * rng()));
      const b = Array.from({ length: 3 + ((k * 3) % 5) }, () => Math.round(4 * rng() + 1));
      expect(mannWhitneyU(a, b).pValue).toBeCloseTo(enumeratedTiedP(a, b), 12);
    }
  });

  it('matches scipy asymptotic p-values with ties above 50 values', () => {
    const a = [
      103.5, 108.2, 103.3, 87.0, 109.1, 104.5, 94.6, 105.8, 103.6, 102.9, 100.3, 105.5, 92.6, 98.4, 95.2,
      106.0, 100.4, 97.1, 92.2, 97.4, 100.1, 97.2, 112.9, 110.1, 72.9, 81.1, 98.3, 95.8, 102.1, 102.2,
    ];
    const b = [
      129.2, 96.9, 104.2, 128.4, 114.5, 114.6, 102.9, 91.5, 109.7, 109.1, 95.7, 101.2, 107.3, 98.6, 107.0,
      109.0, 108.4, 102.9, 113.9, 116.9, 111.2, 99.8, 115.3, 103.0, 116.8,
    ];
    const big = mannWhitneyU(a, b);
    expect(big).toMatchObject({ u: 181.5, method: 'normal' });
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

describe('hodgesLehmannShift', () => {
  it('is the median of pairwise differences, with the Mann-Whitney order statistics as interval', () => {
    // 10 + 10: P(U <= 23) = 0.0216 <= 0.025 < P(U <= 24): k = 24 of 100 differences.
    expect(mannWhitneyCriticalK(10, 10, 0.05)).toBe(24);
    // 3 + 3: the smallest p is 2/20 = 0.1, so no 95% interval exists.
    expect(mannWhitneyCriticalK(3, 3, 0.05)).toBeNull();
    const base = [1, 2, 3, 4, 5];
    const r = hodgesLehmannShift(
      base,
      base.map((v) => v + 10),
      [0.05],
    );
    expect(r.estimate).toBe(10);
    const iv = r.intervals['0.05'];
    expect(iv?.low).toBeLessThanOrEqual(10);
    expect(iv?.high).toBeGreaterThanOrEqual(10);
  });

  it('covers a true shift at least 95% of the time (lognormal, 10 a side)', () => {
    const rng = createRng(23);
    let covered = 0;
    const runs = 2000;
    for (let k = 0; k < runs; k++) {
      const x = Array.from({ length: 10 }, () => 0.3 * normal(rng));
      const y = Array.from({ length: 10 }, () => 0.5 + 0.3 * normal(rng));
      const iv = hodgesLehmannShift(x, y, [0.05]).intervals['0.05'];
      if (iv && iv.low <= 0.5 && 0.5 <= iv.high) covered++;
    }
    // Exact level 1 - 2 * 0.0216 = 95.7%; binomial sd 0.45%.
    expect(covered / runs).toBeGreaterThan(0.94);
  });
});
