import { describe, expect, it } from 'vitest';
import { bootstrapRatioCI } from '../analysis/bootstrap.js';
import { pairedEffect, unpairedEffect } from '../analysis/effect.js';
import { mannWhitneyU } from '../analysis/mannwhitney.js';
import { createRng, normal } from '../analysis/random.js';
import { blockSlowdowns, pairsOf } from './pairing.js';
import { holm, type JudgeInput, judge, stepDown } from './stats.js';

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

  it('the change-in-slowdown interval (per-block slowdowns) covers the true change at least 95% of the time', () => {
    // The old method bootstrapped four independent groups of trials; slowdown is now taken
    // within each repetition block (co-located over solo of the same repetition), which cancels
    // the drift a block shares. True change: base slowdown 3, candidate 3.9, so 1.3.
    const rng = createRng(99);
    const runs = 1000;
    const covered = { paired: 0, unpaired: 0 };
    const opts = { scale: 'ratio' as const, intervalAlpha: 0.05, equivalenceAlpha: 0.1 };
    for (let k = 0; k < runs; k++) {
      const sides = [3, 3.9].map((slow) => {
        const co = new Map<number, number>();
        const solo = new Map<number, number>();
        for (let rep = 1; rep <= 12; rep++) {
          const drift = Math.exp(0.3 * normal(rng));
          solo.set(rep, 1000 * drift * Math.exp(0.1 * normal(rng)));
          co.set(rep, 1000 * slow * drift * Math.exp(0.1 * normal(rng)));
        }
        return blockSlowdowns(co, solo);
      }) as [Map<number, number>, Map<number, number>];
      const p = pairedEffect(pairsOf(sides[0], sides[1]), opts).interval;
      const u = unpairedEffect([...sides[0].values()], [...sides[1].values()], opts).interval;
      if (p && p.low <= 1.3 && 1.3 <= p.high) covered.paired++;
      if (u && u.low <= 1.3 && 1.3 <= u.high) covered.unpaired++;
    }
    // Exact levels: signed-rank at 12 pairs 95.8%, Mann-Whitney 12 + 12 95.6%; binomial sd 0.65%.
    expect(covered.paired / runs).toBeGreaterThan(0.94);
    expect(covered.unpaired / runs).toBeGreaterThan(0.94);
  });

  it('gives no block slowdown where the solo value is 0 or missing', () => {
    const co = new Map([
      [1, 3],
      [2, 6],
      [3, 9],
    ]);
    const solo = new Map([
      [1, 1],
      [2, 0],
    ]);
    expect([...blockSlowdowns(co, solo)]).toEqual([[1, 3]]);
  });
});

describe('stepDown', () => {
  it('is Holm with the identity level, and stops at the first row it cannot reject', () => {
    // Holm-adjusted: 0.03 0.06 0.06 0.02: rejected at 0.05 are the 0.005 and the 0.01.
    expect(stepDown([0.01, 0.04, 0.03, 0.005], 0.05)).toEqual([true, false, false, true]);
    expect(stepDown([0.5, null, 0.001], 0.05)).toEqual([false, false, true]);
  });
});

describe('judge (the verdict rule)', () => {
  const base: JudgeInput = {
    scale: 'ratio',
    method: 'paired',
    estimate: 1.3,
    low: 1.2,
    high: 1.4,
    low90: 1.22,
    high90: 1.38,
    significant: true,
    pHolm: 0.001,
    nBase: 10,
    nCand: 10,
    higherIsWorse: true,
    band: { low: 0.95, high: 1.05, text: '±5%' },
    excluded: null,
    family: 10,
    intervalLevel: 0.95,
    equivalenceLevel: 0.9,
  };
  const v = (x: Partial<JudgeInput>) => judge({ ...base, ...x });
  it('regression: interval entirely above the band for a latency, and the corrected test significant', () => {
    expect(v({}).verdict).toBe('regression');
    expect(v({}).why).toMatch(/entirely on the worse side of ±5%, Holm p = 0.001/);
  });
  it('regression: interval entirely below the band for a rate (higher is better)', () => {
    expect(
      v({ higherIsWorse: false, estimate: 0.7, low: 0.6, high: 0.8, low90: 0.62, high90: 0.78 }).verdict,
    ).toBe('regression');
    expect(v({ higherIsWorse: false }).verdict).toBe('improvement');
  });
  it('improvement: interval entirely below the band for a latency', () => {
    expect(v({ estimate: 0.7, low: 0.6, high: 0.8, low90: 0.62, high90: 0.78 }).verdict).toBe('improvement');
  });
  it('no-change: the 90% interval inside the band (two one-sided tests), whatever p says', () => {
    const inside = { estimate: 1.0, low: 0.94, high: 1.06, low90: 0.96, high90: 1.04 };
    // The 95% interval reaches past both edges: the old rule (95% inside) said inconclusive.
    expect(v({ ...inside, pHolm: 1, significant: false }).verdict).toBe('no-change');
    expect(v({ ...inside }).why).toMatch(
      /90% interval -4.0% … \+4.0% lies inside ±5% \(two one-sided tests\)/,
    );
    expect(v({ ...inside, low90: 0.94 }).verdict).toBe('inconclusive');
  });
  it('a wide interval that clears the band is still a regression (the 20x case)', () => {
    // Old rule: wider than 4 bands -> inconclusive, and CI passed a 20x regression.
    expect(v({ estimate: 20, low: 4, high: 60, low90: 5, high90: 50 }).verdict).toBe('regression');
    expect(v({ estimate: 1.4, low: 1.1, high: 1.8 }).verdict).toBe('regression');
  });
  it('inconclusive: straddling, not significant, no test possible, too few trials, no interval', () => {
    expect(v({ low: 1.02, low90: 1.03 }).why).toMatch(/reaches past ±5% without clearing it/);
    expect(v({ pHolm: 0.2, significant: false }).why).toMatch(/not significant after Holm over 10 rows/);
    expect(v({ significant: null, pHolm: null }).why).toMatch(/no test can reach significance/);
    expect(v({ nBase: 4, nCand: 4 }).why).toMatch(/fewer than 5 pairs/);
    expect(v({ method: 'unpaired', nBase: 4 }).why).toMatch(
      /fewer than 5 trials a side \(base 4, candidate 10\)/,
    );
    expect(v({ low: null, high: null }).why).toMatch(/too few pairs for an exact 95% interval/);
    expect(v({ estimate: null, low: null, high: null }).verdict).toBe('inconclusive');
    for (const x of [{ low: 1.02, low90: 1.03 }, { pHolm: 0.2, significant: false }, { nBase: 4 }]) {
      expect(v(x).verdict).toBe('inconclusive');
    }
  });
  it('says how many more pairs would likely settle a row, from its spread', () => {
    // Estimate +10%, 95% interval +2% … +18% at 10 pairs: clearing +5% needs the half-width
    // (8%) to shrink below the 5% margin, about 10 x (0.077 / 0.047)^2 = 27 pairs.
    const r = v({ estimate: 1.1, low: 1.02, high: 1.18, low90: 1.03, high90: 1.17 });
    expect(r.verdict).toBe('inconclusive');
    expect(r.more?.trials).toBeGreaterThan(20);
    expect(r.more?.trials).toBeLessThan(35);
    expect(r.why).toMatch(
      /about \d+ pairs \(repetition blocks\) in all \(\d+ more\) would likely settle it as a regression/,
    );
    // Sitting on the edge: more pairs are no promise.
    expect(v({ estimate: 1.05, low: 1.0, high: 1.1, low90: 1.01, high90: 1.09 }).why).toMatch(
      /unlikely to settle/,
    );
  });
  it('leaves an excluded row out with its reason', () => {
    expect(v({ excluded: 'thin tail' })).toEqual({ verdict: 'excluded', why: 'thin tail', more: null });
  });
});
