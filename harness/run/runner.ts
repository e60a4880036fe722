/**
 * `isobench run`: scenario -> plan -> trials (interleaved) -> results folder.
 *
 * Order of work: everything that can be validated is validated before the first cgroup exists
 * (scenario, limits against this host, io devices, output folder). Each trial is appended to
 * trials.jsonl as it ends; summaries are written at the end, also after Ctrl-C, for the trials done.
 */
import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKLOAD_PARAMS } from '../../workloads/index.js';
import { summarizeCells } from '../analysis/summarize.js';
import { openDriver } from '../cgroup/index.js';
import { collectHost } from '../host/fingerprint.js';
import { resultsDirName } from '../results/paths.js';
import type { ResultsFile, TrialRecord } from '../results/types.js';
import { RESULTS_SCHEMA_VERSION } from '../results/types.js';
import { ResultsWriter } from '../results/writer.js';
import { parseShard, planRun } from '../scenario/plan.js';
import { validateScenarioFile } from '../scenario/validate.js';
import { Registry } from '../teardown/registry.js';
import { parseDurationMs } from '../units.js';
import { headline, headlineJson } from './headline.js';
import { prepareRun } from './prepare.js';
import { Progress } from './progress.js';
import { runTrial } from './trial.js';

export interface RunOptions {
  set?: string[];
  duration?: string;
  warmup?: string;
  repetitions?: string;
  out?: string;
  json?: boolean;
  shard?: string;
  cgroupParent?: string;
  seed?: string;
  readyTimeout?: string;
}

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_SCENARIO = 'scenarios/web-vs-db.yaml';

/** A relative scenario path is looked up in the current directory, then among isobench's own scenarios. */
export function resolveScenarioFile(file: string): string {
  if (existsSync(file)) return file;
  const bundled = join(PACKAGE_ROOT, file);
  return existsSync(bundled) ? bundled : file;
}

export async function runMain(fileArg: string | undefined, opts: RunOptions): Promise<number> {
  const file = resolveScenarioFile(fileArg ?? DEFAULT_SCENARIO);
  const shard = opts.shard ? parseShard(opts.shard) : undefined;
  const { scenario } = await validateScenarioFile(file, {
    set: opts.set ?? [],
    ...(opts.duration ? { duration: opts.duration } : {}),
    ...(opts.warmup ? { warmup: opts.warmup } : {}),
    ...(opts.repetitions ? { repetitions: opts.repetitions } : {}),
    workloadParams: WORKLOAD_PARAMS,
  });
  const seed = opts.seed ? Number(opts.seed) : (scenario.seed ?? randomInt(2 ** 31));
  const plan = planRun(scenario, { seed, ...(shard ? { shard } : {}) });
  const readyTimeoutMs = parseDurationMs(opts.readyTimeout ?? '120s', '--ready-timeout');
  const outDir = resolve(opts.out ?? join(scenario.outputDir, resultsDirName(new Date(), scenario.name)));
  const registry = new Registry();
  const driver = openDriver(registry, { parent: opts.cgroupParent });
  const workRoot = join(outDir, 'work');
  const prepared = prepareRun(scenario, driver, workRoot);
  for (const w of scenario.warnings) process.stderr.write(`warning: ${file}: ${w}\n`);

  const writer = await ResultsWriter.open(outDir);
  registry.addTempDir(workRoot);
  for (const perCell of Object.values(prepared))
    for (const p of Object.values(perCell)) mkdirSync(p.dataDir, { recursive: true });
  const progress = new Progress(plan.trials.length);
  progress.line(`isobench run: ${scenario.name}: ${plan.trials.length} trials -> ${outDir}`);
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      progress.line(
        `${sig}: stopping after cleaning up the trial in flight; the finished trials are kept (again to force)`,
      );
      abort.abort();
    } else {
      // Second Ctrl-C: do not wait for workloads to shut down; the registry still removes everything.
      void registry.teardown().finally(() => process.exit(130));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const startedAt = new Date().toISOString();
  const trials: TrialRecord[] = [];
  try {
    const host = await collectHost();
    for (const [i, t] of plan.trials.entries()) {
      if (abort.signal.aborted) break;
      progress.trial(i + 1, `${t.cell.name} · ${t.phase.name} · repetition ${t.repetition}`);
      const out = await runTrial(
        {
          driver,
          prepared: prepared[t.cell.id] ?? {},
          readyTimeoutMs,
          stopGraceMs: 10_000,
          signal: abort.signal,
          onPhase: (p) => progress.phase(p),
        },
        t,
      );
      if (out === 'interrupted') {
        progress.trialDone('interrupted (not recorded)');
        break;
      }
      writer.appendTrial(out.record);
      writer.appendSamples(out.samples);
      trials.push(out.record);
      progress.trialDone(out.record.status === 'ok' ? 'ok' : `failed: ${out.record.reason}`);
    }
    const cells = summarizeCells({ cells: plan.cells, phases: plan.phases, trials, seed });
    const results: ResultsFile = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      runId: registry.runId,
      status: abort.signal.aborted ? 'interrupted' : 'complete',
      startedAt,
      finishedAt: new Date().toISOString(),
      command: ['isobench', ...process.argv.slice(2)],
      host,
      scenario: {
        name: scenario.name,
        file,
        text: scenario.text,
        overrides: scenario.overrides,
        seed,
        repetitions: scenario.repetitions,
        shard: plan.shard,
        totalTrials: plan.totalTrials,
        phases: plan.phases,
      },
      cells,
      trials,
    };
    writer.finish(results);
    if (opts.json) process.stdout.write(`${JSON.stringify(headlineJson(outDir, results))}\n`);
    else process.stdout.write(headline(outDir, results));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await registry.teardown();
  }
  return abort.signal.aborted ? 130 : 0;
}
