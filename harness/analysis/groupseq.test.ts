import { describe, expect, it } from 'vitest';
import { groupSequentialNominal, nominalAlphaAtLastLook, obrienFlemingSpend } from './groupseq.js';
import { normalQuantile } from './normal.js';
import { createRng, normal } from './random.js';

describe('O’Brien-Fleming-type alpha spending', () => {
  it('spends alpha by t = 1 and almost nothing early', () => {
    expect(obrienFlemingSpend(1, 0.05)).toBe(0.05);
    expect(obrienFlemingSpend(0.25, 0.05)).toBeLessThan(1e-4);
    expect(obrienFlemingSpend(0.5, 0.05)).toBeCloseTo(0.00305, 4);
  });

  it('gives the published boundaries for 4 equally spaced looks (z = 4.33, 2.96, 2.36, 2.01)', () => {
    // R ldbounds::bounds(c(.25, .5, .75, 1), iuse = 1, alpha = 0.025) per side: 4.3326 2.9631 2.3590 2.0141.
    const z = groupSequentialNominal([0.25, 0.5, 0.75, 1], 0.05).map((p) => normalQuantile(1 - p / 2));
    expect(z[0]).toBeCloseTo(4.333, 2);
    expect(z[1]).toBeCloseTo(2.963, 2);
    expect(z[2]).toBeCloseTo(2.359, 2);
    expect(z[3]).toBeCloseTo(2.014, 2);
  });

  it('is the fixed design with one look at t = 1', () => {
    expect(nominalAlphaAtLastLook([1], 0.05)).toBe(0.05);
    expect(groupSequentialNominal([1], 0.05)[0]).toBeCloseTo(0.05, 10);
  });

  it('keeps the overall error at alpha for Brownian-motion statistics looked at 11 times', () => {
    // 10 to 20 blocks, a look after each: the simulated crossing rate of a null random walk.
    const fractions = Array.from({ length: 11 }, (_, i) => (10 + i) / 20);
    const nominal = groupSequentialNominal(fractions, 0.05);
    const crit = nominal.map((p) => normalQuantile(1 - p / 2));
    const rng = createRng(3);
    let crossed = 0;
    const runs = 20_000;
    for (let r = 0; r < runs; r++) {
      let s = 0;
      let n = 0;
      for (let k = 0; k < fractions.length; k++) {
        const upto = 10 + k;
        while (n < upto) {
          s += normal(rng);
          n++;
        }
        if (Math.abs(s / Math.sqrt(n)) >= (crit[k] as number)) {
          crossed++;
          break;
        }
      }
    }
    // Binomial sd at 5% over 20,000 runs: 0.15%.
    expect(crossed / runs).toBeGreaterThan(0.045);
    expect(crossed / runs).toBeLessThan(0.055);
  });

  it('refuses looks that do not increase', () => {
    expect(() => groupSequentialNominal([0.5, 0.5], 0.05)).toThrow(/increase/);
  });
});
