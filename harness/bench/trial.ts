/**
 * Per-trial overhead: the default scenario's co-located trial (web + db + load generator, the
 * no-limits cell) with 0 s warmup and an empty measured window, run by `isobench run` as a user runs
 * it (1 ms windows: see writeScenario); its wall time is the interval between consecutive trials'
 * starts. The peer is the sum of
 * the medians of its parts started alone (parts.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { readResults } from '../results/reader.js';
import { DEFAULT_SCENARIO } from '../run/runner.js';
import { okPeer, ratiosOf, summarize, timeTasks } from './measure.js';
import { generatorStartStop, localServer, workloadStartStop } from './parts.js';
import { runToEnd } from './spawn.js';
import type { BenchContext, Benchmark, BenchResult } from './types.js';

const DESCRIPTION = 'per-trial overhead: default workloads, 0 s warmup and window';
/** Trials cost about 2 s each here: at most this many intervals. */
const MAX_TRIALS = 10;
const GOAL_MS = 500;

const root = fileURLToPath(new URL('../../../', import.meta.url));

interface ScenarioDoc {
  containers: { web: { params?: Record<string, string | number> } };
  phases: { name: string; kind: string; containers: string[] }[];
  cells: { name: string }[];
  [k: string]: unknown;
}

/** The default scenario cut to its co-located phase and first cell, `trials` repetitions. */
function writeScenario(dir: string, trials: number): { file: string; webArgs: string[] } {
  const doc = parse(readFileSync(join(root, DEFAULT_SCENARIO), 'utf8')) as ScenarioDoc;
  doc.phases = doc.phases.filter((p) => p.kind === 'colocated');
  doc.cells = doc.cells.slice(0, 1);
  // 1 ms, not 0 s: the load generator refuses an empty schedule (exit 2, the trial fails). Such
  // short windows trip the run's guards (late sends, foreign CPU): those trials are recorded as
  // invalid, and still ran every step, which is what is timed here.
  Object.assign(doc, { repetitions: trials, duration: '1ms', warmup: '0s', name: 'bench-trial' });
  const file = join(dir, 'trial.yaml');
  writeFileSync(file, stringify(doc));
  const webArgs = Object.entries(doc.containers.web.params ?? {}).flatMap(([k, v]) => [`--${k}`, String(v)]);
  return { file, webArgs };
}

async function measure(ctx: BenchContext): Promise<BenchResult> {
  const dir = join(ctx.tmpDir, 'trial');
  mkdirSync(dir, { recursive: true });
  const trials = Math.max(2, Math.min(ctx.iterations, MAX_TRIALS) + 1);
  const { file, webArgs } = writeScenario(dir, trials);
  const out = join(dir, 'out');
  await runToEnd(process.execPath, [join(root, 'dist/harness/cli.js'), 'run', file, '--out', out, '--json']);
  const results = readResults(out);
  const starts = results.trials.map((t) => Date.parse(t.startedAt)).sort((a, b) => a - b);
  const walls = starts.slice(1).map((s, i) => s - (starts[i] as number));
  const failed = results.trials.filter((t) => t.status === 'failed');
  if (failed.length > 0)
    throw new Error(
      `trial benchmark: ${failed.length} trials failed: ${failed[0]?.status === 'failed' ? failed[0].reason : ''}`,
    );
  const ours = summarize('isobench run, one trial', 'ms', walls);

  const dbDir = join(dir, 'db');
  mkdirSync(dbDir, { recursive: true });
  const server = await localServer();
  let parts: Awaited<ReturnType<typeof timeTasks>>;
  try {
    parts = await timeTasks(
      [
        { name: 'web', fn: () => workloadStartStop(['web', ...webArgs]) },
        { name: 'db', fn: () => workloadStartStop(['db', '--engine', 'sqlite', '--data-dir', dbDir]) },
        { name: 'generator', fn: () => generatorStartStop(server.url) },
      ],
      Math.max(1, Math.min(ctx.iterations, MAX_TRIALS)),
    );
  } finally {
    await server.close();
  }
  const sum = parts.reduce((s, p) => s + p.median, 0);
  const peer = {
    name: 'sum of parts started alone',
    unit: 'ms' as const,
    median: sum,
    p99: null,
    samples: parts[0]?.samples ?? 0,
    // Independent parts: their spreads add in quadrature.
    mad: Math.hypot(...parts.map((p) => p.mad ?? 0)),
  };
  const peers = [okPeer(peer)];
  return {
    status: 'ok',
    name: 'trial',
    description: DESCRIPTION,
    ours,
    peers,
    ratios: ratiosOf(ours, peers),
    goals: [{ text: `overhead <= ${GOAL_MS / 1000} s`, pass: ours.median <= GOAL_MS }],
    figures: Object.fromEntries(parts.map((p) => [`${p.name}StartStopMs`, p.median])),
    notes: [
      `parts (median start to stop): ${parts.map((p) => `${p.name} ${p.median.toFixed(0)} ms`).join(', ')}; ${results.trials.length} trials`,
    ],
  };
}

export const trialBench: Benchmark = { name: 'trial', description: DESCRIPTION, run: measure };
