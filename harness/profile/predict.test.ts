import { describe, expect, it } from 'vitest';
import {
  equivalentIntensity,
  interpolate,
  predictSlowdown,
  sensitivityAt,
  validationRow,
} from './predict.js';
import { curve, profile } from './testutil.js';

const MiB = 2 ** 20;

describe('interpolate', () => {
  it('is linear between points, in any order, and clamps outside them', () => {
    const pts = [
      { x: 100, y: 3 },
      { x: 0, y: 1 },
      { x: 50, y: 2 },
    ];
    expect(interpolate(pts, 25)).toBe(1.5);
    expect(interpolate(pts, 75)).toBe(2.5);
    expect(interpolate(pts, -5)).toBe(1);
    expect(interpolate(pts, 150)).toBe(3);
    expect(interpolate([], 1)).toBeNull();
  });
});

describe('equivalentIntensity', () => {
  it('inverts the footprint curve, anchored at (0, 0) when 0 was not measured', () => {
    const c = [
      { intensity: 50, footprint: 1 },
      { intensity: 100, footprint: 2 },
    ];
    expect(equivalentIntensity(c, 0.5)).toEqual({ intensity: 25, clamped: null });
    expect(equivalentIntensity(c, 1.5)).toEqual({ intensity: 75, clamped: null });
    expect(equivalentIntensity(c, 0)).toEqual({ intensity: 0, clamped: null });
  });

  it('uses a measured intensity 0 as the floor: below its footprint the intensity is 0', () => {
    const c = [
      { intensity: 0, footprint: 40 },
      { intensity: 100, footprint: 140 },
    ];
    expect(equivalentIntensity(c, 10)).toEqual({ intensity: 0, clamped: null });
    expect(equivalentIntensity(c, 90)).toEqual({ intensity: 50, clamped: null });
  });

  it('clamps beyond the highest point and says so', () => {
    expect(equivalentIntensity([{ intensity: 100, footprint: 2 }], 3)).toEqual({
      intensity: 100,
      clamped: 'above',
    });
  });

  it('makes a noisy curve monotone (running maximum) before inverting it', () => {
    const c = [
      { intensity: 50, footprint: 2 },
      { intensity: 100, footprint: 1.8 },
    ];
    expect(equivalentIntensity(c, 1)).toEqual({ intensity: 25, clamped: null });
    expect(equivalentIntensity(c, 2)).toEqual({ intensity: 50, clamped: null });
  });

  it('has no answer without a measured footprint', () => {
    expect(equivalentIntensity([{ intensity: 50, footprint: null }], 1)).toBeNull();
  });
});

describe('sensitivityAt', () => {
  const cpu = curve('cpu', [
    [50, 1, 1.2, 1.1, 1.3],
    [100, 2, 1.6, 1.4, 1.8],
  ]);

  it('interpolates median and bounds, with solo (1) at intensity 0', () => {
    const s = sensitivityAt(cpu, 'latencyP50Us', 25);
    expect(s?.median).toBeCloseTo(1.1, 12);
    expect(s?.low).toBeCloseTo(1.05, 12);
    expect(s?.high).toBeCloseTo(1.15, 12);
    expect(sensitivityAt(cpu, 'latencyP50Us', 75)?.median).toBeCloseTo(1.4, 12);
  });

  it('has no bound where a bracketing point has none, and nothing for a metric without slowdowns', () => {
    const noBounds = curve('cpu', [[100, 2, 1.5, null, null]]);
    expect(sensitivityAt(noBounds, 'latencyP50Us', 50)).toEqual({ median: 1.25, low: null, high: null });
    // The point at 50 has no interval (too few valid blocks): above 50 the bounds come from 100 alone.
    const gap = curve('cpu', [
      [50, 1, 1.2, null, null],
      [100, 2, 1.6, 1.4, 1.8],
    ]);
    expect(sensitivityAt(gap, 'latencyP50Us', 100)).toEqual({ median: 1.6, low: 1.4, high: 1.8 });
    expect(sensitivityAt(gap, 'latencyP50Us', 75)).toEqual({ median: 1.4, low: null, high: null });
    expect(sensitivityAt(gap, 'latencyP50Us', 120)?.low).toBe(1.4);
    expect(sensitivityAt(cpu, 'commitP50Us', 50)).toBeNull();
  });
});

describe('predictSlowdown', () => {
  const victim = profile(
    'web',
    [
      curve('cpu', [
        [50, 1, 1.2, 1.1, 1.3],
        [100, 2, 1.6, 1.4, 1.8],
      ]),
      curve('io', [
        [50, 10 * MiB, 1.1, 1.05, 1.15],
        [100, 20 * MiB, 1.3, 1.2, 1.4],
      ]),
    ],
    { cpuCores: 0.3 },
  );

  it('multiplies the per-resource slowdowns at the aggressor’s equivalent intensities', () => {
    const db = profile('db', [], { cpuCores: 0.5, ioBytesPerSec: 15 * MiB });
    const p = predictSlowdown(victim, db, 'latencyP50Us');
    expect(p.terms.map((t) => [t.resource, t.intensity])).toEqual([
      ['cpu', 25],
      ['io', 75],
    ]);
    expect(p.terms[0]?.slowdown?.median).toBeCloseTo(1.1, 12);
    expect(p.terms[1]?.slowdown?.median).toBeCloseTo(1.2, 12);
    expect(p.predicted?.median).toBeCloseTo(1.32, 12);
    expect(p.predicted?.low).toBeCloseTo(1.05 * 1.125, 12);
    expect(p.predicted?.high).toBeCloseTo(1.15 * 1.275, 12);
    expect(p.worstTerm?.median).toBeCloseTo(1.2, 12);
    expect(p.note).toBeNull();
  });

  it('counts CPU once: the cpu term reads only the CPU beyond what the io antagonist uses at its equivalent intensity', () => {
    const v = profile(
      'web',
      [
        curve('cpu', [
          [50, 1, 1.2, 1.1, 1.3],
          [100, 2, 1.6, 1.4, 1.8],
        ]),
        curve('io', [
          [50, 10 * MiB, 1.1, 1.05, 1.15],
          [100, 20 * MiB, 1.3, 1.2, 1.4],
        ]),
      ],
      {},
    );
    // The io antagonist uses 0.2 cores at 50 and 0.4 at 100.
    const io = v.antagonists[1];
    if (!io) throw new Error('no io curve');
    for (const pt of io.points) pt.footprint.cpuCores = pt.intensity / 250;
    // An aggressor at io intensity 75 (0.3 cores of io's own) with 0.8 cores: 0.5 left -> cpu intensity 25.
    const p = predictSlowdown(
      v,
      profile('db', [], { cpuCores: 0.8, ioBytesPerSec: 15 * MiB }),
      'latencyP50Us',
    );
    expect(p.terms[0]?.aggressorFootprint).toBeCloseTo(0.5, 12);
    expect(p.terms[0]?.alreadyCounted).toBeCloseTo(0.3, 12);
    expect(p.terms[0]?.intensity).toBeCloseTo(25, 12);
    expect(p.predicted?.median).toBeCloseTo(1.1 * 1.2, 12);
    // Less CPU than the io antagonist would use: nothing left for the cpu term.
    const lean = predictSlowdown(
      v,
      profile('db', [], { cpuCores: 0.1, ioBytesPerSec: 15 * MiB }),
      'latencyP50Us',
    );
    expect(lean.terms[0]).toMatchObject({ aggressorFootprint: 0, alreadyCounted: 0.1, intensity: 0 });
    expect(lean.terms[0]?.slowdown?.median).toBe(1);
  });

  it('clamps an aggressor beyond the scale, flags it, and says which term is missing', () => {
    const heavy = profile('io-hog', [], { cpuCores: null, ioBytesPerSec: 40 * MiB });
    const p = predictSlowdown(victim, heavy, 'latencyP50Us');
    expect(p.terms[0]).toMatchObject({ resource: 'cpu', intensity: null, slowdown: null });
    expect(p.terms[1]).toMatchObject({ resource: 'io', intensity: 100, clamped: 'above' });
    expect(p.predicted?.median).toBeCloseTo(1.3, 12);
    expect(p.note).toContain('no term for cpu');
    expect(p.note).toContain('beyond the antagonist');
  });

  it('works for a rate, where below 1 is slower: the product of the ratios', () => {
    const rateVictim = profile('db', [curve('cpu', [[100, 2, 0.5, 0.4, 0.6]])], {});
    rateVictim.antagonists[0]?.points.forEach((pt) => {
      pt.slowdown = { txnPerSec: pt.slowdown.latencyP50Us };
    });
    const p = predictSlowdown(rateVictim, profile('web', [], { cpuCores: 1 }), 'txnPerSec');
    expect(p.predicted?.median).toBeCloseTo(0.75, 12);
    expect(p.worstTerm?.median).toBeCloseTo(0.75, 12);
  });

  it('predicts nothing for a victim without a sensitivity curve (an antagonist as a service)', () => {
    const p = predictSlowdown(profile('cpu', [], {}), profile('web', [], { cpuCores: 1 }), 'latencyP50Us');
    expect(p.predicted).toBeNull();
    expect(p.note).toContain('has no latencyP50Us slowdown');
  });
});

describe('validationRow', () => {
  const p = predictSlowdown(
    profile('web', [curve('cpu', [[100, 2, 1.5, 1.4, 1.6]])], {}),
    profile('db', [], { cpuCores: 1 }),
    'latencyP50Us',
  );

  it('gives the relative error, whether it is within 10%, and whether the interval holds it', () => {
    const r = validationRow(p, { median: 1.2, low: 1.1, high: 1.3, n: 10 });
    expect(r.predicted).toBeCloseTo(1.25, 12);
    expect(r.worstTerm).toBeCloseTo(1.25, 12); // one term: the product is the term
    expect(r.error).toBeCloseTo(1.25 / 1.2 - 1, 12);
    expect(r.within10).toBe(true);
    expect(r.inInterval).toBe(true);
    const miss = validationRow(p, { median: 1.5, low: 1.45, high: 1.55, n: 10 });
    expect(miss.error).toBeCloseTo(-1 / 6, 12);
    expect(miss.within10).toBe(false);
    expect(miss.inInterval).toBe(false);
    expect(validationRow(p, null)).toMatchObject({ error: null, within10: null, inInterval: null });
  });
});
