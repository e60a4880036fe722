/**
 * Simulated runs for the validation of compare's rules (simulation.test.ts) and of the
 * sequential looks: a web server alone and next to a CPU hog, as in testdata/web-ab.yaml, with
 * the noise of a shared machine put in layer by layer (all on a log scale):
 *
 * - run level: a whole run is a few percent faster or slower (a shared run of interleaved
 *   variants shares it; two separate runs each draw their own);
 * - block level: each repetition drifts as a whole (the other tenants' jobs, thermal state),
 *   shared by every trial of the block, both variants included;
 * - trial level: heavy-tailed (Student t) noise common to a trial's figures, plus a smaller
 *   per-figure part.
 *
 * The figures are lightweight ResultsFiles (no histograms, no cgroup data), so thousands of
 * compares run in seconds. Request counts are recorded as the load generator would, so a p99.9
 * of 20,000 requests (20 beyond) is flagged as a thin tail exactly as in a real run.
 */
import { createRng, normal, type Rng } from '../analysis/random.js';
import { EXAMPLE_HOST } from '../results/example.js';
import type { MetricName, ResultsFile, TrialContainer, TrialRecord } from '../results/types.js';

export interface SimModel {
  repetitions: number;
  /** Scale of the per-trial noise (a log-scale sd for df = null). */
  trialScale: number;
  /** Degrees of freedom of the per-trial t noise; null for normal noise. */
  df: number | null;
  blockSigma: number;
  runSigma: number;
  /** Variants of one interleaved run (paired) or two separate runs (unpaired). */
  paired: boolean;
  /** Multiplies the candidate's figures (2 for a 2x latency regression). */
  planted?: { metric: MetricName; factor: number; phase?: string }[];
}

export const SIM_PHASES: ResultsFile['scenario']['phases'] = [
  { name: 'solo-web', kind: 'solo', containers: ['web'] },
  { name: 'with-hog', kind: 'colocated', containers: ['web', 'hog'] },
];

/** Typical figures of the web server alone and next to the hog (µs; fractions). */
const MEDIANS: Record<string, Partial<Record<MetricName, number>>> = {
  'solo-web': { latencyP50Us: 1100, latencyP99Us: 6000, latencyP999Us: 15_000, goodputFraction: 0.9995 },
  'with-hog': { latencyP50Us: 3000, latencyP99Us: 25_000, latencyP999Us: 60_000, goodputFraction: 0.998 },
};

/** Requests per trial: p99 has 200 values beyond it (judged), p99.9 has 20 (a thin tail). */
const REQUESTS = 20_000;

/** Student t with `df` degrees of freedom (normal / sqrt(chi2 / df)). */
function studentT(rng: Rng, df: number): number {
  let chi2 = 0;
  for (let i = 0; i < df; i++) chi2 += normal(rng) ** 2;
  return normal(rng) / Math.sqrt(chi2 / df);
}

function noise(rng: Rng, m: SimModel): number {
  return m.df === null ? m.trialScale * normal(rng) : m.trialScale * studentT(rng, m.df);
}

function webContainer(metrics: TrialContainer['metrics']): TrialContainer {
  return {
    name: 'web',
    workload: 'web',
    limits: { requested: {}, applied: {} },
    cgroupPath: '/sim/web',
    exit: null,
    ready: null,
    final: null,
    load: { requests: REQUESTS, latencyUs: { count: REQUESTS } },
    metrics,
    histograms: {},
    cgroup: {
      cpuUsageUs: null,
      cpuThrottledUs: null,
      memoryPeakBytes: null,
      oomKills: null,
      ioReadBytes: null,
      ioWriteBytes: null,
      ioReadOps: null,
      ioWriteOps: null,
      pidsPeak: null,
      psi: null,
    },
  };
}

const hog: TrialContainer = {
  ...webContainer({}),
  name: 'hog',
  workload: 'cpu',
  load: null,
  cgroupPath: '/sim/hog',
};

function results(
  runId: string,
  trials: TrialRecord[],
  reps: number,
  variant: ResultsFile['variant'],
): ResultsFile {
  return {
    schemaVersion: 2,
    runId,
    status: 'complete',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    command: ['isobench', 'run', 'web-ab.yaml'],
    host: EXAMPLE_HOST,
    scenario: {
      name: 'web-ab',
      file: 'web-ab.yaml',
      text: 'name: web-ab\n',
      overrides: [],
      seed: 1,
      repetitions: reps,
      shard: null,
      totalTrials: trials.length,
      phases: SIM_PHASES,
    },
    cells: [{ id: 'c1', name: 'default', settings: {}, containers: {} }],
    trials,
    variant,
    sequential: null,
  };
}

/**
 * One simulated comparison: base and candidate, `model.repetitions` blocks each. The same rng
 * state gives the same pair, so a seed is a reproducible experiment.
 */
export function simulatePair(model: SimModel, rng: Rng): [ResultsFile, ResultsFile] {
  const sides: TrialRecord[][] = [[], []];
  const runEffect = [model.runSigma * normal(rng), 0];
  runEffect[1] = model.paired ? (runEffect[0] as number) : model.runSigma * normal(rng);
  for (let rep = 1; rep <= model.repetitions; rep++) {
    const blockShared = model.blockSigma * normal(rng);
    for (const phase of SIM_PHASES) {
      for (const s of [0, 1] as const) {
        // Separate runs do not share blocks: each has its own drift.
        const block = model.paired || s === 0 ? blockShared : model.blockSigma * normal(rng);
        const common = noise(rng, model);
        const metrics: TrialContainer['metrics'] = { errorFraction: 0, timeoutFraction: 0 };
        for (const [metric, med] of Object.entries(MEDIANS[phase.name] ?? {}) as [MetricName, number][]) {
          let factor = 1;
          if (s === 1) {
            for (const p of model.planted ?? []) {
              if (p.metric === metric && (p.phase === undefined || p.phase === phase.name))
                factor *= p.factor;
            }
          }
          if (metric === 'goodputFraction') {
            // Near 1 and barely noisy: what an open loop shows when the server keeps up.
            metrics[metric] = Math.min(1, med * factor * Math.exp(0.0003 * normal(rng)));
            continue;
          }
          const own = 0.3 * model.trialScale * normal(rng);
          metrics[metric] = med * factor * Math.exp((runEffect[s] as number) + block + common + own);
        }
        const index = (sides[s] as TrialRecord[]).length;
        (sides[s] as TrialRecord[]).push({
          id: `c1-${phase.name}-r${rep}`,
          index,
          repetition: rep,
          cell: { id: 'c1', name: 'default', settings: {} },
          phase,
          startedAt: '2026-01-01T00:00:00.000Z',
          durationMs: 2000,
          foreignCpuUs: null,
          status: 'ok',
          containers: phase.kind === 'solo' ? [webContainer(metrics)] : [webContainer(metrics), hog],
        });
      }
    }
  }
  const variant = (name: string): ResultsFile['variant'] =>
    model.paired ? { name, group: 'sim', variants: ['a', 'b'] } : null;
  return [
    results('sim-a', sides[0] as TrialRecord[], model.repetitions, variant('a')),
    results('sim-b', sides[1] as TrialRecord[], model.repetitions, variant('b')),
  ];
}

/** A seeded source for a batch of experiments. */
export function simRng(seed: number): Rng {
  return createRng(seed);
}
