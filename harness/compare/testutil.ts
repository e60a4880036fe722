/**
 * Synthetic runs for compare tests: the example results (harness/results/example.ts) with every
 * per-trial metric redrawn from a seeded lognormal around the example's value, so two seeds are
 * two runs of the same settings (A/A), and `effects` plants a known change in one of them.
 */
import { createRng, normal } from '../analysis/random.js';
import { exampleResults } from '../results/example.js';
import type { MetricName, ResultsFile } from '../results/types.js';

export interface Planted {
  container: string;
  metric: MetricName;
  /** Multiplies the metric's values: 1.3 is a 30% increase. */
  factor: number;
  /** Only in this phase (default: every phase). */
  phase?: string;
  /** Only in this cell (default: every cell). */
  cell?: string;
}

export interface SyntheticOptions {
  seed: number;
  repetitions?: number;
  /** Trial-to-trial variation: sigma of the lognormal factor (default 0.05, about 5%). */
  sigma?: number;
  effects?: Planted[];
  runId?: string;
}

/** exampleResults merges histograms and summarizes its cells: build it once per size. */
const examples = new Map<number, ResultsFile>();

export function syntheticRun(opts: SyntheticOptions): ResultsFile {
  const reps = opts.repetitions ?? 10;
  let example = examples.get(reps);
  if (!example) {
    example = exampleResults(reps);
    examples.set(reps, example);
  }
  const r = structuredClone(example);
  const rng = createRng(opts.seed);
  const sigma = opts.sigma ?? 0.05;
  for (const t of r.trials) {
    for (const c of t.containers) {
      for (const [m, v] of Object.entries(c.metrics) as [MetricName, number | null | undefined][]) {
        if (typeof v !== 'number') continue;
        let value = v * Math.exp(sigma * normal(rng));
        for (const e of opts.effects ?? []) {
          if (e.container !== c.name || e.metric !== m) continue;
          if (e.phase !== undefined && e.phase !== t.phase.name) continue;
          if (e.cell !== undefined && e.cell !== t.cell.id) continue;
          value *= e.factor;
        }
        c.metrics[m] = value;
      }
    }
  }
  r.runId = opts.runId ?? `syn-${opts.seed}`;
  return r;
}

/**
 * A base and a candidate whose names, ids and host fields carry markup (for the HTML tests),
 * the candidate with web's co-located p99 up by +3886%.
 */
export function hostileRuns(): { base: ResultsFile; cand: ResultsFile } {
  const base = syntheticRun({ seed: 1 });
  const cand = syntheticRun({
    seed: 2,
    effects: [{ container: 'web', metric: 'latencyP99Us', factor: 39.86, phase: 'colocated' }],
  });
  base.scenario.name = '<script>alert("x")</script>';
  base.runId = `"><img src=x onerror="window.__xss=1">`;
  cand.host.kernel = '</style><script>window.__xss=1</script>';
  cand.host.hostname = `' onmouseover='window.__xss=1`;
  for (const r of [base, cand]) {
    r.cells = r.cells.map((cell) => ({ ...cell, name: `${cell.name}<b onmouseover=alert(2)>` }));
    for (const t of r.trials) t.cell = { ...t.cell, name: `${t.cell.name}<b onmouseover=alert(2)>` };
  }
  return { base, cand };
}
