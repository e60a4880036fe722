import { describe, expect, it } from 'vitest';
import { bootstrapRatioCI } from '../analysis/bootstrap.js';
import { mannWhitneyU } from '../analysis/mannwhitney.js';
import { createRng, normal } from '../analysis/random.js';
import { bootstrapSlowdownChange, holm, judge } from './stats.js';

/** Two-sided exact p-value by enumerating every split of the pooled sample (no ties). */
function enumeratedP(x: number[], y: number[]): number {
  const pooled = [...x, ...y];
  const n1 = x.length;
  const u = (a: number[], b: number[]) => a.reduce((s, v) => s + b.filter((w) => v > w).length, 0);
  const observed = u(x, y);
  const mean = (n1 * y.length) / 2;
  let extreme = 0;
  let total = 0;
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === n1) {
      const a = chosen.map((i) => pooled[i] as number);
      const b = pooled.filter((_, i) => !chosen.includes(i));
      total++;
      if (Math.abs(u(a, b) - mean) >= Math.abs(observed - mean) - 1e-9) extreme++;
      return;
    }
    for (let i = start; i < pooled.length; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return extreme / total;
}

describe('Mann-Whitney U against R wilcox.test (exact, small samples)', () => {
  // R: wilcox.test(x, y)$p.value (exact = TRUE is the default for n < 50 without ties).
  const cases: [number[], number[], number][] = [
    [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.007937], // 2 / choose(10, 5)
    [[1, 2, 3], [4, 5, 6], 0.1], // 2 / choose(6, 3)
    [[1, 3, 5], [2, 4, 6], 0.7], // W = 3: P(U <= 3) = 7/20, doubled
    [[1, 2, 3, 4], [5, 6, 7, 8, 9, 10], 0.009524], // 2 / choose(10, 4)
    [[1.1, 2.2, 3.3, 4.4, 10], [5, 6, 7, 8, 9], 0.1508], // W = 5: 2 * 19 / 252
    [[10, 20, 30, 40, 50, 60], [15, 25, 35, 45, 55, 65], 0.6991], // W = 15: 2 * 324 / 924 (enumerated)
  ];
  for (const [x, y, p] of cases) {
    it(`x=${x.join(',')} y=${y.join(',')} -> p=${p}`, () => {
      const r = mannWhitneyU(x, y);
      expect(r.method).toBe('exact');
      expect(r.pValue).toBeCloseTo(p, 4);
      expect(r.pValue).toBeCloseTo(enumeratedP(x, y), 12);
    });
  }

  it('equals full enumeration on random samples of sizes up to 6 x 6', () => {
    const rng = createRng(7);
    for (let k = 0; k < 40; k++) {
      const n1 = 2 + (k % 5);
      const n2 = 2 + ((k * 3) % 5);
      const x = Array.from({ length: n1 }, () => rng());
      const y = Array.from({ length: n2 }, () => rng() + 0.2);
      expect(mannWhitneyU(x, y).pValue).toBeCloseTo(enumeratedP(x, y), 12);
    }
  });
});

describe('holm', () => {
  it('matches R p.adjust(p, "holm")', () => {
    // p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
    const out = holm([0.01, 0.04, 0.03, 0.005]);
    expect(out.map((p) => Number(p?.toFixed(10)))).toEqual([0.03, 0.06, 0.06, 0.02]);
  });
  it('caps at 1 and leaves rows without a test out of the family', () => {
    expect(holm([0.5, null, 0.4])).toEqual([0.8, null, 0.8]);
    expect(holm([null])).toEqual([null]);
    expect(holm([0.001])).toEqual([0.001]);
  });
});

describe('bootstrap interval coverage on synthetic lognormal data', () => {
  it('the 95% ratio-of-medians interval covers the true ratio about 95% of the time', () => {
    const rng = createRng(2024);
    const trueRatio = 1.2;
    const runs = 300;
    let covered = 0;
    for (let k = 0; k < runs; k++) {
      // Medians of lognormal(mu, sigma) are exp(mu): the true ratio of medians is 1.2.
      const base = Array.from({ length: 20 }, () => 1000 * Math.exp(0.3 * normal(rng)));
      const cand = Array.from({ length: 20 }, () => 1000 * trueRatio * Math.exp(0.3 * normal(rng)));
      const ci = bootstrapRatioCI(cand, base, { iterations: 1000, seed: k + 1 }).interval;
      if (ci && ci.low <= trueRatio && trueRatio <= ci.high) covered++;
    }
    // Binomial sd at 95% over 300 runs is 1.3%; the percentile bootstrap of a median runs a
    // little under nominal at n = 20.
    expect(covered / runs).toBeGreaterThan(0.88);
    expect(covered / runs).toBeLessThan(0.99);
  });

  it('the slowdown-change interval covers the true change about 95% of the time', () => {
    const rng = createRng(99);
    const draw = (m: number) => Array.from({ length: 15 }, () => m * Math.exp(0.2 * normal(rng)));
    const runs = 200;
    let covered = 0;
    for (let k = 0; k < runs; k++) {
      // base slowdown 3000/1000 = 3, candidate 3900/1000 = 3.9: change 1.3.
      const sd = bootstrapSlowdownChange(
        { baseCo: draw(3000), baseSolo: draw(1000), candCo: draw(3900), candSolo: draw(1000) },
        { iterations: 1000, seed: k + 1 },
      );
      if (sd.interval && sd.interval.low <= 1.3 && 1.3 <= sd.interval.high) covered++;
    }
    // Conservative (about 99% here): four medians of 15 resampled independently make the
    // percentile interval wider than nominal. Too wide errs towards inconclusive, never towards
    // a false regression.
    expect(covered / runs).toBeGreaterThan(0.9);
  });

  it('gives no interval when a solo median is 0', () => {
    const sd = bootstrapSlowdownChange(
      { baseCo: [1, 2, 3], baseSolo: [0, 0, 0], candCo: [1, 2, 3], candSolo: [1, 1, 1] },
      { iterations: 100, seed: 1 },
    );
    expect(sd.ratio).toBeNull();
    expect(sd.interval).toBeNull();
  });
});

describe('judge (the verdict rule)', () => {
  const base = { nBase: 10, nCand: 10, higherIsWorse: true, threshold: 0.05, pHolm: 0.001 };
  it('regression: interval entirely above the band for a latency, p < 0.05', () => {
    expect(judge({ ...base, ratio: 1.3, low: 1.2, high: 1.4 }).verdict).toBe('regression');
  });
  it('regression: interval entirely below the band for a throughput', () => {
    expect(judge({ ...base, higherIsWorse: false, ratio: 0.7, low: 0.6, high: 0.8 }).verdict).toBe(
      'regression',
    );
    expect(judge({ ...base, higherIsWorse: false, ratio: 1.3, low: 1.2, high: 1.4 }).verdict).toBe(
      'improvement',
    );
  });
  it('improvement: interval entirely below the band for a latency', () => {
    expect(judge({ ...base, ratio: 0.7, low: 0.6, high: 0.8 }).verdict).toBe('improvement');
  });
  it('no-change: interval inside the band, whatever p says', () => {
    expect(judge({ ...base, ratio: 1.0, low: 0.96, high: 1.04 }).verdict).toBe('no-change');
    expect(judge({ ...base, pHolm: 1, ratio: 1.0, low: 0.95, high: 1.05 }).verdict).toBe('no-change');
  });
  it('inconclusive: straddling, not significant, too noisy, too few trials, no interval', () => {
    const v = (x: Partial<Parameters<typeof judge>[0]>) =>
      judge({ ...base, ratio: 1.3, low: 1.2, high: 1.4, ...x });
    expect(v({ low: 1.02 }).why).toMatch(/straddles/);
    expect(v({ pHolm: 0.2 }).why).toMatch(/not significant/);
    expect(v({ pHolm: null }).verdict).toBe('inconclusive');
    // 4 bands of ±5% = 40% of the ratio: [1.1, 1.8] around 1.4 is 50% wide.
    expect(v({ ratio: 1.4, low: 1.1, high: 1.8 }).why).toMatch(/too large to judge/);
    expect(v({ nBase: 4 }).why).toMatch(/fewer than 5 trials/);
    expect(v({ nCand: 0, ratio: null, low: null, high: null }).verdict).toBe('inconclusive');
    expect(v({ low: null, high: null }).why).toMatch(/no interval/);
    for (const x of [{ low: 1.02 }, { pHolm: 0.2 }, { ratio: 1.4, low: 1.1, high: 1.8 }, { nBase: 4 }]) {
      expect(v(x).verdict).toBe('inconclusive');
    }
  });
});
