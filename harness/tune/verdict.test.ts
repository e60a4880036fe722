/**
 * The per-point SLO rule: settled by the whole interval on one side, unsettled at the maximum,
 * and (by simulation) a wrong "meets" at most about alpha when the true median sits on the
 * threshold, with heavy-tailed trials.
 */
import { describe, expect, it } from 'vitest';
import { createRng, normal } from '../analysis/random.js';
import { parseSlo } from './slo.js';
import { DEFAULT_RULE, PointJudge } from './verdict.js';

const SLO = parseSlo('p99<=20ms');

describe('PointJudge', () => {
  it('all values far below: meets at the first look where an interval exists (6 trials with a maximum of 12)', () => {
    const j = new PointJudge(SLO, DEFAULT_RULE);
    const verdicts = [5, 6, 5, 7, 6, 5].map((ms) => j.add(ms * 1000));
    expect(verdicts).toEqual([null, null, null, null, null, 'meets']);
    expect(j.looks.map((l) => [l.n, l.verdict])).toEqual([
      [5, 'continue'],
      [6, 'meets'],
    ]);
    expect(j.looks[0]?.low).toBeNull(); // 5 values: [min, max] covers 93.75%, short of the look's level
    expect(j.looks[1]?.level).toBeGreaterThan(0.95);
    expect(j.estimate()).toMatchObject({ median: 5500, low: 5000, high: 7000 });
  });

  it('all values far above: violates; straddling values: unsettled at the maximum', () => {
    const v = new PointJudge(SLO, DEFAULT_RULE);
    for (let i = 0; i < 6; i++) v.add(40_000 + i);
    expect(v.verdict).toBe('violates');
    const u = new PointJudge(SLO, DEFAULT_RULE);
    for (let i = 0; i < 20 && !u.verdict; i++) u.add(i % 2 === 0 ? 15_000 : 25_000);
    expect(u.verdict).toBe('unsettled');
    expect(u.trials).toBe(DEFAULT_RULE.maxTrials);
  });

  it('a failed trial counts towards the maximum without a value', () => {
    // With a maximum of 6 a look at 5 values asks for 92%: [min, max] of 5 (93.75%) settles.
    const j = new PointJudge(SLO, { ...DEFAULT_RULE, maxTrials: 6 });
    expect([5000, 5000, null, 5000, 5000, 5000].map((v) => j.add(v))).toEqual([
      null,
      null,
      null,
      null,
      null,
      'meets',
    ]);
    expect([j.trials, j.values.length]).toEqual([6, 5]);
    const k = new PointJudge(SLO, { ...DEFAULT_RULE, maxTrials: 6 });
    for (let i = 0; i < 6; i++) k.add(i < 2 ? null : 5000);
    expect([k.trials, k.values.length, k.verdict]).toEqual([6, 4, 'unsettled']);
  });

  it('simulation: median on the threshold, lognormal trials with 5% outliers: wrong verdicts at most about 5% each way', () => {
    const rng = createRng(42);
    const runs = 4000;
    let meets = 0;
    let violates = 0;
    for (let r = 0; r < runs; r++) {
      const j = new PointJudge(SLO, DEFAULT_RULE);
      while (!j.verdict) {
        const x = 20_000 * Math.exp(0.2 * normal(rng));
        j.add(rng() < 0.05 ? x * (rng() < 0.5 ? 4 : 0.25) : x);
      }
      if (j.verdict === 'meets') meets++;
      if (j.verdict === 'violates') violates++;
    }
    // Each side's error over all looks is bounded by alpha = 5% (the sign test is conservative).
    expect(meets / runs).toBeLessThanOrEqual(0.055);
    expect(violates / runs).toBeLessThanOrEqual(0.055);
    expect(meets + violates).toBeGreaterThan(0); // the rule does stop sometimes by chance, as any test
  });
});
