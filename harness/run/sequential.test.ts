/**
 * The sequential rules, without a machine: looks on simulated runs (harness/compare/testsim.ts:
 * block drift, run effects, heavy-tailed trial noise). Each simulation prints what it measured.
 */
import { describe, expect, it } from 'vitest';
import type { Rng } from '../analysis/random.js';
import { type SimModel, simRng, simulatePair } from '../compare/testsim.js';
import { exampleResults } from '../results/example.js';
import type { ResultsFile, SequentialLook } from '../results/types.js';
import { evaluateLook, overBudget, primaryWidths, sequentialRule, stopText } from './sequential.js';

const spec = { precision: 0.05, maxRepetitions: 30, timeBudgetMs: null };
/** Below the ±5% band, so that a precise but straddling row goes on to be settled. */
const GS_SPEC = { precision: 0.02, maxRepetitions: 30, timeBudgetMs: null };

/** The first `reps` blocks of a simulated pair: what a run has at its look after `reps` blocks. */
function upTo(r: ResultsFile, reps: number): ResultsFile {
  return { ...r, trials: r.trials.filter((t) => t.repetition <= reps) };
}

/** Runs the group-sequential rule on one simulated pair of up to `max` blocks; returns the stop and the verdict counts. */
function sequentialRun(model: SimModel, rng: Rng, max = 30) {
  const rule = sequentialRule({ ...GS_SPEC, maxRepetitions: max }, 10, true);
  const [a, b] = simulatePair({ ...model, repetitions: max }, rng);
  const looks: SequentialLook[] = [];
  for (let reps = 10; reps <= max; reps++) {
    const { look, stop } = evaluateLook(
      rule,
      {
        repetitions: reps,
        trials: 0,
        elapsedMs: 0,
        results: [upTo(a, reps), upTo(b, reps)],
        variants: ['a', 'b'],
      },
      looks,
    );
    looks.push(look);
    if (stop) return { reps, stop, counts: look.comparisons[0] };
  }
  throw new Error('the rule must stop by the maximum');
}

describe('sequentialRule', () => {
  it('states the rule in words, with its budget', () => {
    expect(sequentialRule(spec, 10, false).text).toMatch(
      /^look after 10 blocks, then after each block; stop when every primary interval .* within ±5% .*; at most 30 blocks$/,
    );
    const gs = sequentialRule({ ...spec, timeBudgetMs: 600_000 }, 10, true);
    expect(gs).toMatchObject({
      kind: 'group-sequential',
      alpha: 0.05,
      equivalenceAlpha: 0.1,
      thresholdPct: 5,
    });
    expect(gs.spending).toBe('pocock');
    expect(gs.text).toMatch(
      /Lan-DeMets Pocock-type.*at most 30 blocks, or when the next block would end after 600 s$/,
    );
  });

  it('starts no block that would overrun the time budget, judged from the blocks so far', () => {
    const rule = sequentialRule({ ...spec, timeBudgetMs: 100_000 }, 10, false);
    expect(overBudget(rule, 80_000, 10)).toBe(false); // next block ~8 s: ends at 88 s
    expect(overBudget(rule, 95_000, 10)).toBe(true);
    expect(overBudget(sequentialRule(spec, 10, false), 1e12, 10)).toBe(false);
  });
});

describe('evaluateLook: precision (no variants)', () => {
  const rule = sequentialRule(spec, 10, false);
  it('stops when every primary interval lies within the target, and names the widest', () => {
    const tight = exampleResults(12); // 5% trial noise: intervals of a few percent
    const { look, stop } = evaluateLook(
      { ...rule, precision: 0.5 },
      { repetitions: 12, trials: tight.trials.length, elapsedMs: 1000, results: [tight], variants: null },
      [],
    );
    expect(stop).toEqual({ reason: 'precision', targetReached: true });
    expect(look.decision).toBe('stop');
    expect(look.widest?.figure).toMatch(/^c[12] (web|db) \w+ slowdown colocated$/);
  });

  it('goes on while an interval is wider, and stops at the maximum with the target not reached', () => {
    const r = exampleResults(12);
    const { stop } = evaluateLook(
      { ...rule, precision: 0.001 },
      { repetitions: 12, trials: 0, elapsedMs: 0, results: [r], variants: null },
      [],
    );
    expect(stop).toBeNull();
    const last = evaluateLook(
      { ...rule, precision: 0.001, maxRepetitions: 12 },
      { repetitions: 12, trials: 0, elapsedMs: 0, results: [r], variants: null },
      [],
    );
    expect(last.stop).toEqual({ reason: 'max-repetitions', targetReached: false });
    const text = stopText({ rule, looks: [last.look] }, { ...last.stop, repetitions: 12, text: '' } as never);
    expect(text).toMatch(/^target not reached: stopped at the maximum of 12 blocks; widest interval ±\d/);
  });

  it('counts a figure without an interval (fewer than 6 trials) as not precise', () => {
    const widths = primaryWidths(exampleResults(3));
    expect(widths.length).toBeGreaterThan(0);
    expect(widths.every((w) => w.halfWidth === Number.POSITIVE_INFINITY)).toBe(true);
  });
});

describe('evaluateLook: group-sequential (variants), validated by simulation', () => {
  const noisy: SimModel = {
    repetitions: 30,
    trialScale: 0.08,
    df: 3,
    blockSigma: 0.2,
    runSigma: 0.03,
    paired: true,
  };

  it('A/A with heavy tails: false regressions <= 5% over every look of 100 sequential runs', () => {
    const rng = simRng(11);
    const runs = 100;
    // 10 to 20 blocks, 11 looks: this noise never settles, so every run takes every look.
    let regressions = 0;
    let blocks = 0;
    const reasons = new Map<string, number>();
    for (let k = 0; k < runs; k++) {
      const r = sequentialRun(noisy, rng, 20);
      if ((r.counts?.regression ?? 0) > 0) regressions++;
      blocks += r.reps;
      reasons.set(r.stop.reason, (reasons.get(r.stop.reason) ?? 0) + 1);
    }
    console.log(
      `sequential A/A, ${runs} runs of 10 to 20 blocks (t3 noise, 20% drift): false regression ${((100 * regressions) / runs).toFixed(2)}%, mean ${(blocks / runs).toFixed(1)} blocks, stops ${JSON.stringify(Object.fromEntries(reasons))}`,
    );
    expect(regressions / runs).toBeLessThanOrEqual(0.05);
  });

  it('a planted 2x regression stops at the first look, as a regression', () => {
    const rng = simRng(12);
    const runs = 100;
    let atFirst = 0;
    for (let k = 0; k < runs; k++) {
      const r = sequentialRun({ ...noisy, planted: [{ metric: 'latencyP50Us', factor: 2 }] }, rng);
      if (r.reps === 10 && (r.counts?.regression ?? 0) > 0) atFirst++;
    }
    console.log(
      `sequential, planted 2x: a regression at the first look (10 blocks) in ${atFirst} of ${runs} runs`,
    );
    expect(atFirst / runs).toBeGreaterThanOrEqual(0.95);
  });

  it('an equivalent pair stops as no-change (the futility stop) when the noise allows it', () => {
    const rng = simRng(13);
    const runs = 100;
    let noChange = 0;
    let blocks = 0;
    const reasons = new Map<string, number>();
    for (let k = 0; k < runs; k++) {
      const r = sequentialRun({ ...noisy, trialScale: 0.02, df: 5, blockSigma: 0.1 }, rng);
      const c = r.counts;
      if (r.stop.reason === 'settled' && c && c.regression + c.improvement + c.inconclusive === 0) noChange++;
      blocks += r.reps;
      reasons.set(r.stop.reason, (reasons.get(r.stop.reason) ?? 0) + 1);
    }
    // The same noise gives about 60% no-change in a fixed 10-pair compare (simulation.test.ts).
    console.log(
      `sequential A/A, 2.6% t5 noise, precision ±2%: stopped as no-change in ${noChange} of ${runs} runs, mean ${(blocks / runs).toFixed(1)} blocks, stops ${JSON.stringify(Object.fromEntries(reasons))}`,
    );
    expect(noChange / runs).toBeGreaterThanOrEqual(0.8);
  });
});
