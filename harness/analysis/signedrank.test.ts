import { describe, expect, it } from 'vitest';
import { createRng, normal } from './random.js';
import { hodgesLehmannPaired, signedRankCriticalK, signedRankTest } from './signedrank.js';

/** Two-sided p by enumerating all 2^k sign assignments of the nonzero differences (midranks, Pratt zeros). */
function enumeratedP(d: number[]): number {
  const abs = d.map(Math.abs);
  const sorted = [...abs].sort((a, b) => a - b);
  const rank = (v: number) => {
    const first = sorted.indexOf(v);
    const last = sorted.lastIndexOf(v);
    return (first + last) / 2 + 1;
  };
  const scores = d.filter((v) => v !== 0).map((v) => rank(Math.abs(v)));
  const observed = d.reduce((s, v) => s + (v > 0 ? rank(Math.abs(v)) : 0), 0);
  const total = scores.reduce((a, b) => a + b, 0);
  const mean = total / 2;
  let extreme = 0;
  const k = scores.length;
  for (let mask = 0; mask < 2 ** k; mask++) {
    let t = 0;
    for (let i = 0; i < k; i++) if (mask & (1 << i)) t += scores[i] as number;
    if (Math.abs(t - mean) >= Math.abs(observed - mean) - 1e-9) extreme++;
  }
  return extreme / 2 ** k;
}

describe('signedRankTest', () => {
  it("matches R's exact wilcox.test on its own paired example (V = 40, p = 0.03906)", () => {
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = signedRankTest(x.map((v, i) => v - (y[i] as number)));
    expect(r).toMatchObject({ n: 9, nonzero: 9, tPlus: 40, method: 'exact' });
    expect(r.pValue).toBeCloseTo(0.0390625, 10);
    expect(r.minPValue).toBeCloseTo(2 / 512, 12);
  });

  it('is exact with ties and zeros: equal to full enumeration of the sign flips', () => {
    const rng = createRng(5);
    for (let k = 0; k < 60; k++) {
      const n = 3 + (k % 10);
      // Rounded to whole numbers: ties and zeros are common.
      const d = Array.from({ length: n }, () => Math.round(3 * normal(rng) + 0.8));
      const r = signedRankTest(d);
      expect(r.pValue).toBeCloseTo(enumeratedP(d), 12);
    }
  });

  it('gives p = 1 when every difference is zero, and no p without pairs', () => {
    expect(signedRankTest([0, 0, 0])).toMatchObject({ pValue: 1, minPValue: 1, nonzero: 0 });
    expect(signedRankTest([]).pValue).toBeNull();
  });

  it('reaches 2/2^n when all of n differences share a sign', () => {
    const r = signedRankTest([0.3, 0.1, 0.2, 0.5, 0.4, 0.6, 0.9, 0.8, 0.7, 1]);
    expect(r.pValue).toBeCloseTo(2 / 1024, 12);
  });
});

describe('hodgesLehmannPaired', () => {
  it('uses the Walsh averages at the signed-rank order statistics (n = 10: k = 9 of 55 for 95%)', () => {
    expect(signedRankCriticalK(10, 0.05)).toBe(9);
    expect(signedRankCriticalK(10, 0.1)).toBe(11);
    expect(signedRankCriticalK(6, 0.05)).toBe(1);
    // 5 pairs: even [min, max] of the Walsh averages covers only 1 - 2/32 = 93.75%.
    expect(signedRankCriticalK(5, 0.05)).toBeNull();
    const d = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const r = hodgesLehmannPaired(d, [0.05]);
    expect(r.estimate).toBe(5.5);
    // Walsh averages of 1..10: the 9th smallest is 3, the 47th is 8.
    expect(r.intervals['0.05']).toEqual({ low: 3, high: 8 });
  });

  it('covers the true centre at least 95% of the time with heavy tails (t with 3 df, 10 pairs)', () => {
    const rng = createRng(11);
    const t3 = () => normal(rng) / Math.sqrt((normal(rng) ** 2 + normal(rng) ** 2 + normal(rng) ** 2) / 3);
    let covered = 0;
    const runs = 3000;
    for (let k = 0; k < runs; k++) {
      const d = Array.from({ length: 10 }, () => 0.2 + 0.1 * t3());
      const iv = hodgesLehmannPaired(d, [0.05]).intervals['0.05'];
      if (iv && iv.low <= 0.2 && 0.2 <= iv.high) covered++;
    }
    // Exact level 1 - 2 * 0.0244 = 95.1% for a symmetric distribution; binomial sd 0.4%.
    expect(covered / runs).toBeGreaterThan(0.94);
    expect(covered / runs).toBeLessThan(0.965);
  });
});
