/**
 * A synthetic one-hour results folder for the report benchmark and the size test: the example
 * run (harness/results/example.ts) stretched to 30 trials of 120 s (2 cells x 3 phases x 5
 * repetitions), an antagonist `hog` added to the co-located phase (3 containers), and a
 * samples.csv at 500 ms with 10 s of warmup per trial: the shape `isobench run` writes.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createRng, normal } from '../../harness/analysis/random.js';
import { summarizeCells } from '../../harness/analysis/summarize.js';
import { SAMPLE_COLUMNS } from '../../harness/results/columns.js';
import { EXAMPLE_CELLS, exampleResults } from '../../harness/results/example.js';
import { resultsPaths } from '../../harness/results/paths.js';
import type { ResultsFile, TrialRecord } from '../../harness/results/types.js';
import { writeResultsJson } from '../../harness/results/writer.js';

export const SYNTHETIC = { repetitions: 5, trialMs: 120_000, warmupMs: 10_000, intervalMs: 500 };

function withHog(t: TrialRecord): TrialRecord {
  const db = t.containers.find((c) => c.name === 'db');
  if (t.phase.kind !== 'colocated' || !db) return t;
  const phase = { ...t.phase, containers: [...t.phase.containers, 'hog'] };
  const hog = {
    ...db,
    name: 'hog',
    workload: 'stress',
    ready: null,
    final: null,
    metrics: {},
    histograms: {},
    cgroupPath: db.cgroupPath.replace(/db$/, 'hog'),
  };
  return { ...t, phase, durationMs: SYNTHETIC.trialMs, containers: [...t.containers, hog] };
}

export function syntheticResults(): ResultsFile {
  const base = exampleResults(SYNTHETIC.repetitions);
  const phases = base.scenario.phases.map((p) =>
    p.kind === 'colocated' ? { ...p, containers: [...p.containers, 'hog'] } : p,
  );
  const trials = base.trials.map((t) => ({ ...withHog(t), durationMs: SYNTHETIC.trialMs }));
  return {
    ...base,
    scenario: { ...base.scenario, name: 'synthetic-one-hour', phases, totalTrials: trials.length },
    cells: summarizeCells({ cells: EXAMPLE_CELLS, phases, trials }),
    trials,
  };
}

/** Writes results.json, summary.csv and samples.csv of the synthetic run into `dir`. */
export async function writeSyntheticRun(dir: string): Promise<ResultsFile> {
  const results = syntheticResults();
  writeResultsJson(dir, results);
  const out = createWriteStream(resultsPaths(dir).samplesCsv);
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  await write(SAMPLE_COLUMNS.join(','));
  const rng = createRng(7);
  const col = (row: Record<string, number>) => SAMPLE_COLUMNS.map((c) => (c in row ? String(row[c]) : ''));
  for (const t of results.trials) {
    const counters = new Map<string, Record<string, number>>();
    for (let tMs = -SYNTHETIC.warmupMs; tMs <= SYNTHETIC.trialMs; tMs += SYNTHETIC.intervalMs) {
      const dtUs = SYNTHETIC.intervalMs * 1000;
      for (const name of [...t.phase.containers, 'host']) {
        const c = counters.get(name) ?? {
          cpuUsageUs: 0,
          cpuThrottledUs: 0,
          ioReadBytes: 0,
          ioWriteBytes: 0,
          psiCpuSomeUs: 0,
          psiCpuFullUs: 0,
          psiMemorySomeUs: 0,
          psiMemoryFullUs: 0,
          psiIoSomeUs: 0,
          psiIoFullUs: 0,
          hostBusyUs: 0,
        };
        counters.set(name, c);
        const load = Math.max(0, 0.6 + 0.2 * normal(rng)) * (1 + 0.5 * Math.sin(tMs / 20_000));
        const spike = rng() < 0.005 ? 5 : 1;
        if (name === 'host') {
          c.hostBusyUs = (c.hostBusyUs ?? 0) + Math.round(dtUs * 2 * load);
        } else {
          c.cpuUsageUs = (c.cpuUsageUs ?? 0) + Math.round(dtUs * load);
          c.cpuThrottledUs = (c.cpuThrottledUs ?? 0) + Math.round(dtUs * 0.05 * load * rng());
          c.ioReadBytes = (c.ioReadBytes ?? 0) + (name === 'web' ? 0 : Math.round(2 ** 20 * 5 * load));
          c.ioWriteBytes =
            (c.ioWriteBytes ?? 0) + (name === 'web' ? 0 : Math.round(2 ** 20 * 20 * load * spike));
          c.memoryCurrentBytes = Math.round(2 ** 28 * (1 + 0.1 * Math.sin(tMs / 7000)) * spike);
        }
        for (const k of ['psiCpuSomeUs', 'psiMemorySomeUs', 'psiIoSomeUs'] as const) {
          const some = Math.round(dtUs * Math.min(1, 0.2 * load * spike));
          c[k] = (c[k] ?? 0) + some;
          const full = k.replace('Some', 'Full');
          c[full] = (c[full] ?? 0) + Math.round(some * 0.4);
        }
        await write([t.id, t.cell.id, t.phase.name, name, String(tMs), ...col(c).slice(5)].join(','));
      }
    }
  }
  out.end();
  await once(out, 'finish');
  return results;
}
