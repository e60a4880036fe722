/**
 * compare's rows beyond the basic verdicts: pairing of interleaved variants, thin tails,
 * difference-scale fractions, the levels of a group-sequential look, and the estimate of the
 * trials an inconclusive row needs.
 */
import { describe, expect, it } from 'vitest';
import { compareRuns } from './compare.js';
import { syntheticRun } from './testutil.js';

/** Marks two synthetic runs as variants of one interleaved run, so compare pairs them. */
function asVariants<T extends ReturnType<typeof syntheticRun>>(a: T, b: T, group = 'g1'): [T, T] {
  a.variant = { name: 'a', group, variants: ['a', 'b'] };
  b.variant = { name: 'b', group, variants: ['a', 'b'] };
  b.scenario.seed = a.scenario.seed;
  return [a, b];
}

describe('compareRuns: paired variants, thin tails, open-loop fractions, sequential levels', () => {
  it('pairs trials by repetition when both folders are variants of one interleaved run', () => {
    const [a, b] = asVariants(syntheticRun({ seed: 1 }), syntheticRun({ seed: 2 }));
    const report = compareRuns(a, b, { thresholdPct: 5 });
    expect(report.method.paired).toBe(true);
    expect(report.method.text).toMatch(/paired by repetition block .*Wilcoxon signed-rank/);
    const row = report.rows.find(
      (r) => r.cell === 'c1' && r.phase === 'web-solo' && r.metric === 'latencyP99Us',
    );
    expect(row).toMatchObject({ method: 'paired', nBase: 10, nCand: 10 });
    // Different groups (two invocations) or a folder without the record: two independent samples.
    const [c, d] = asVariants(syntheticRun({ seed: 1 }), syntheticRun({ seed: 2 }));
    (d.variant as { group: string }).group = 'g2';
    const other = compareRuns(c, d, { thresholdPct: 5 });
    expect(other.method).toMatchObject({ paired: false });
    expect(other.method.reason).toMatch(/different runs \(g1 and g2\)/);
    const plain = compareRuns(syntheticRun({ seed: 1 }), syntheticRun({ seed: 2 }), { thresholdPct: 5 });
    expect(plain.method.reason).toMatch(/neither run is a variant/);
    expect(plain.rows[0]?.method).toBe('unpaired');
  });

  it('pairing removes block drift: a 10% change under 30% drift is a regression paired, not unpaired', () => {
    const drift = Array.from({ length: 10 }, (_, i) => Math.exp(0.3 * Math.sin(7 * i + 1)));
    const withDrift = (r: ReturnType<typeof syntheticRun>) => {
      for (const t of r.trials)
        for (const c of t.containers)
          for (const m of ['latencyP50Us', 'latencyP99Us'] as const) {
            const v = c.metrics[m];
            if (typeof v === 'number') c.metrics[m] = v * (drift[t.repetition - 1] as number);
          }
      return r;
    };
    const base = () => withDrift(syntheticRun({ seed: 51, sigma: 0.01 }));
    const cand = () =>
      withDrift(
        syntheticRun({
          seed: 52,
          sigma: 0.01,
          effects: [{ container: 'web', metric: 'latencyP50Us', factor: 1.1 }],
        }),
      );
    const pick = (rep: ReturnType<typeof compareRuns>) =>
      rep.rows.find((r) => r.cell === 'c1' && r.phase === 'web-solo' && r.metric === 'latencyP50Us');
    // One metric: 6 rows. At 10 pairs the smallest exact p is 2/1024, which Holm can only
    // carry over up to 25 rows.
    const opts = { thresholdPct: 5, metrics: ['latencyP50Us' as const] };
    const [a, b] = asVariants(base(), cand());
    expect(pick(compareRuns(a, b, opts))?.verdict).toBe('regression');
    const unpaired = pick(compareRuns(base(), cand(), opts));
    expect(unpaired?.verdict).toBe('inconclusive');
    expect(unpaired?.more?.text).toMatch(/trials a side in all/);
  });

  it('leaves a tail percentile with fewer than 100 values beyond it in a trial out of verdicts, and says so', () => {
    const thin = (r: ReturnType<typeof syntheticRun>, count: number) => {
      for (const t of r.trials)
        for (const c of t.containers) if (c.name === 'web') c.load = { latencyUs: { count } };
      return r;
    };
    const planted = [{ container: 'web', metric: 'latencyP99Us' as const, factor: 2 }];
    // 5,000 requests: 50 beyond p99 and 5 beyond p99.9.
    const report = compareRuns(
      thin(syntheticRun({ seed: 1 }), 5000),
      thin(syntheticRun({ seed: 2, effects: planted }), 5000),
      { thresholdPct: 5 },
    );
    const p99 = report.rows.filter((r) => r.metric === 'latencyP99Us');
    expect(p99.every((r) => r.verdict === 'excluded' && r.tailSamples === 50)).toBe(true);
    expect(p99[0]?.why).toMatch(
      /thin tail: as few as 50 values lie beyond .*fewer than 100.*left out of verdicts/,
    );
    expect(
      report.rows.filter((r) => r.metric === 'latencyP50Us').every((r) => r.verdict !== 'excluded'),
    ).toBe(true);
    expect(report.overall).not.toBe('regression');
    // Judged on request.
    const all = compareRuns(
      thin(syntheticRun({ seed: 1 }), 5000),
      thin(syntheticRun({ seed: 2, effects: planted }), 5000),
      { thresholdPct: 5, tailMinSamples: 0 },
    );
    expect(all.rows.find((r) => r.metric === 'latencyP99Us' && r.phase === 'web-solo')?.verdict).toBe(
      'regression',
    );
  });

  it('compares error and timeout fractions as differences: 0 vs 0 is no-change, a rise is a regression', () => {
    const withFractions = (r: ReturnType<typeof syntheticRun>, errors: number) => {
      for (const t of r.trials)
        for (const c of t.containers)
          if (c.name === 'web') c.metrics = { ...c.metrics, errorFraction: errors, timeoutFraction: 0 };
      return r;
    };
    const report = compareRuns(
      withFractions(syntheticRun({ seed: 1 }), 0),
      withFractions(syntheticRun({ seed: 2 }), 0.02),
      { thresholdPct: 5, metrics: ['errorFraction', 'timeoutFraction'] },
    );
    const errors = report.rows.find(
      (r) => r.cell === 'c1' && r.phase === 'web-solo' && r.metric === 'errorFraction',
    );
    expect(errors).toMatchObject({ scale: 'difference', estimate: 0.02, verdict: 'regression' });
    const timeouts = report.rows.find(
      (r) => r.cell === 'c1' && r.phase === 'web-solo' && r.metric === 'timeoutFraction',
    );
    expect(timeouts).toMatchObject({ estimate: 0, low90: 0, high90: 0, verdict: 'no-change', pHolm: null });
    // Fractions have no slowdown rows.
    expect(report.rows.some((r) => r.kind === 'slowdown')).toBe(false);
  });

  it('judges the last look of a group-sequential run at the levels its alpha spending left', () => {
    const [a, b] = asVariants(syntheticRun({ seed: 1 }), syntheticRun({ seed: 2 }));
    const fixed = compareRuns(a, b, { thresholdPct: 5 });
    expect(fixed.levels).toMatchObject({ interval: 0.95, equivalence: 0.9, looks: null });
    // Pocock-type spending (the sequential runs' default) keeps less for the last look than
    // O'Brien-Fleming-type: its last intervals are wider.
    const looked = compareRuns(a, b, { thresholdPct: 5, looks: [0.5, 0.75, 1] });
    expect(looked.levels.interval).toBeGreaterThan(0.97);
    expect(looked.levels.interval).toBeLessThan(0.99);
    expect(looked.levels.text).toMatch(/group-sequential, look 3 .*Pocock-type boundary/);
    const obf = compareRuns(a, b, { thresholdPct: 5, looks: [0.5, 0.75, 1], spending: 'obrien-fleming' });
    expect(obf.levels.interval).toBeGreaterThan(0.95);
    expect(obf.levels.interval).toBeLessThan(0.97);
  });

  it('says how many more trials would likely settle an inconclusive row', () => {
    const report = compareRuns(
      syntheticRun({ seed: 61, sigma: 0.2 }),
      syntheticRun({
        seed: 62,
        sigma: 0.2,
        effects: [{ container: 'web', metric: 'latencyP50Us', factor: 1.12 }],
      }),
      { thresholdPct: 5, metrics: ['latencyP50Us'] },
    );
    const inconclusive = report.rows.filter((r) => r.verdict === 'inconclusive');
    expect(inconclusive.length).toBeGreaterThan(0);
    for (const r of inconclusive) {
      expect(r.more?.trials).toBeGreaterThan(10);
      expect(r.why).toMatch(/would likely settle it as|unlikely to settle/);
    }
  });
});
