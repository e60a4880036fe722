/**
 * Validation of compare's verdict rules by simulation (statistics digest, section 7: "validate
 * every rule by simulation with run-level effects and heavy tails before trusting it"). The
 * model (testsim.ts) is a web server alone and next to a CPU hog, 10 repetition blocks, with run
 * effects, block drift and Student-t trial noise. Each test prints the rate it measured.
 */
import { describe, expect, it } from 'vitest';
import { compareRuns } from './compare.js';
import { type SimModel, simRng, simulatePair } from './testsim.js';

/** Shared machine, interleaved variants: 20% block drift, 3% run effect, t(3) trial noise of scale 0.08. */
const NOISY: SimModel = {
  repetitions: 10,
  trialScale: 0.08,
  df: 3,
  blockSigma: 0.2,
  runSigma: 0.03,
  paired: true,
};

function rates(model: SimModel, runs: number, seed: number) {
  const rng = simRng(seed);
  const out = {
    regression: 0,
    /** Compares with at least one improvement row (the overall verdict would show a regression first). */
    improvement: 0,
    noChange: 0,
    inconclusive: 0,
    /** Compares with a regression on a row the model did not plant a change in. */
    spilled: 0,
    rowsRegressed: new Map<string, number>(),
  };
  const plantedMetrics = new Set((model.planted ?? []).map((p) => p.metric));
  for (let k = 0; k < runs; k++) {
    const [a, b] = simulatePair(model, rng);
    const report = compareRuns(a, b, { thresholdPct: 5 });
    if (report.overall === 'regression') out.regression++;
    else if (report.overall === 'no-change') out.noChange++;
    else if (report.overall === 'inconclusive') out.inconclusive++;
    if (report.rows.some((r) => r.verdict === 'improvement')) out.improvement++;
    if (
      report.rows.some(
        (r) => r.verdict === 'regression' && (r.kind === 'slowdown' || !plantedMetrics.has(r.metric)),
      )
    )
      out.spilled++;
    for (const r of report.rows) {
      if (r.verdict !== 'regression') continue;
      const key = `${r.kind === 'slowdown' ? 'slowdown' : r.phase} ${r.metric}`;
      out.rowsRegressed.set(key, (out.rowsRegressed.get(key) ?? 0) + 1);
    }
  }
  return out;
}

const pct = (x: number, n: number) => `${((100 * x) / n).toFixed(2)}%`;

describe('compare verdicts, validated by simulation', () => {
  it('A/A, interleaved variants (paired), 2,000 compares: false regressions <= 5% family-wise', () => {
    const runs = 2000;
    const r = rates(NOISY, runs, 1);
    console.log(
      `A/A paired, ${runs} compares (block drift 20%, run effect 3%, t3 trial noise): false regression ${pct(r.regression, runs)}, a false improvement row ${pct(r.improvement, runs)}, no-change ${pct(r.noChange, runs)}, inconclusive ${pct(r.inconclusive, runs)}`,
    );
    expect(r.regression / runs).toBeLessThanOrEqual(0.05);
    expect(r.improvement / runs).toBeLessThanOrEqual(0.05);
  });

  it('A/A, two separate runs (unpaired), 1,000 compares with run-level effects: false regressions <= 5%', () => {
    const runs = 1000;
    const r = rates({ ...NOISY, paired: false, blockSigma: 0.1, runSigma: 0.02 }, runs, 2);
    console.log(
      `A/A unpaired, ${runs} compares (each run its own 2% run effect and 10% block drift, t3 noise): false regression ${pct(r.regression, runs)}, a false improvement row ${pct(r.improvement, runs)}, inconclusive ${pct(r.inconclusive, runs)}`,
    );
    expect(r.regression / runs).toBeLessThanOrEqual(0.05);
  });

  it('a planted 2x latency regression is a regression in >= 95% of 10-pair runs', () => {
    const runs = 500;
    const planted = [
      { metric: 'latencyP50Us' as const, factor: 2 },
      { metric: 'latencyP99Us' as const, factor: 2 },
      { metric: 'latencyP999Us' as const, factor: 2 },
    ];
    const r = rates({ ...NOISY, planted }, runs, 3);
    const rows = [...r.rowsRegressed].map(([k, v]) => `${k} ${pct(v, runs)}`).join(', ');
    console.log(
      `planted 2x, 10 pairs, ${runs} runs: regression ${pct(r.regression, runs)} (rows: ${rows}); a regression on an unchanged row (the slowdown is 2x / 2x) in ${pct(r.spilled, runs)}`,
    );
    expect(r.regression / runs).toBeGreaterThanOrEqual(0.95);
    // The p99.9 rows are thin tails (20 values beyond): never judged.
    expect(r.rowsRegressed.has('solo-web latencyP999Us')).toBe(false);
    // The slowdown did not change: a regression there is a false one, kept under 5% by Holm.
    expect(r.spilled / runs).toBeLessThanOrEqual(0.05);
  });

  it('a planted 10% change with 1% noise is found', () => {
    const runs = 500;
    const quiet: SimModel = {
      repetitions: 10,
      trialScale: 0.01,
      df: null,
      blockSigma: 0.05,
      runSigma: 0.01,
      paired: true,
    };
    const r = rates(
      { ...quiet, planted: [{ metric: 'latencyP50Us', factor: 1.1, phase: 'with-hog' }] },
      runs,
      4,
    );
    console.log(`planted +10%, 1% noise, 10 pairs, ${runs} runs: regression ${pct(r.regression, runs)}`);
    expect(r.regression / runs).toBeGreaterThanOrEqual(0.95);
  });

  it('an equivalent pair ends no-change >= 80% of the time with the default band when the noise allows it', () => {
    const runs = 500;
    // t(5) trial noise of scale 0.015 (sd 1.9%), 10% block drift removed by pairing. Every
    // judged row must be no-change; a slowdown row carries four trials' noise. At scale 0.02
    // (sd 2.6%) the same test measures about 60%: such noise needs more than 10 pairs, which
    // a sequential run adds.
    const calm: SimModel = {
      repetitions: 10,
      trialScale: 0.015,
      df: 5,
      blockSigma: 0.1,
      runSigma: 0.02,
      paired: true,
    };
    const r = rates(calm, runs, 5);
    console.log(
      `A/A paired, 1.9% t5 trial noise, ${runs} runs: no-change ${pct(r.noChange, runs)}, inconclusive ${pct(r.inconclusive, runs)}, regression ${pct(r.regression, runs)}`,
    );
    expect(r.noChange / runs).toBeGreaterThanOrEqual(0.8);
  });
});
