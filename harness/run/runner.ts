/**
 * `isobench run`: scenario -> plan -> trials (interleaved) -> results folder(s).
 *
 * Order of work: everything that can be validated is validated before the first cgroup exists
 * (scenario, every variant, limits against this host, io devices, output folders). Each trial is
 * appended to trials.jsonl as it ends; summaries are written at the end, also after Ctrl-C, for the
 * trials done.
 *
 * Variants (`--variant NAME:PATH=VALUE`) are the same scenario with different settings, planned
 * with one seed so their trial lists line up, and run alternately trial by trial (A B, then B A, ...)
 * so that both see the same machine conditions; each gets its own results folder, which records
 * the invocation (`variant.group`) so that compare pairs their trials.
 *
 * A sequential run (`precision`) plans its maximum of blocks up front and stops at a look
 * (loop.ts, sequential.ts); its results record every look and why it stopped.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKLOAD_PARAMS } from '../../workloads/index.js';
import { summarizeCells } from '../analysis/summarize.js';
import { openDriver } from '../cgroup/index.js';
import { UsageError } from '../errors.js';
import { collectHost } from '../host/fingerprint.js';
import { resultsDirName } from '../results/paths.js';
import type {
  DoctorRecord,
  HostFingerprint,
  ResultsFile,
  SeedSource,
  SequentialRecord,
  TrialRecord,
} from '../results/types.js';
import { RESULTS_SCHEMA_VERSION } from '../results/types.js';
import { ResultsWriter } from '../results/writer.js';
import { parseShard, planRun, type RunPlan } from '../scenario/plan.js';
import type { Scenario } from '../scenario/types.js';
import { validateScenarioFile } from '../scenario/validate.js';
import { Registry } from '../teardown/registry.js';
import { parseDurationMs } from '../units.js';
import { applyReservation, formatCpuList, onlineCpus, pinSelf, reserveCpus } from './cpus.js';
import { prepareTemplates } from './data.js';
import { preflightDoctor } from './doctor.js';
import { RUN_EXIT, runExitStatus } from './exit-status.js';
import { headline, headlineJson } from './headline.js';
import { type LoopOutcome, runSteps } from './loop.js';
import { preflightRun } from './preflight.js';
import { type PreparedRun, prepareRun } from './prepare.js';
import { Progress } from './progress.js';
import { chooseSeed } from './seed.js';
import { refuseShardedSequential, sequentialFlags, sequentialRuleOf } from './sequential-options.js';
import { stopOnSignals } from './signals.js';
import { parseVariants } from './variants.js';

export interface RunOptions {
  set?: string[];
  variant?: string[];
  duration?: string;
  warmup?: string;
  repetitions?: string;
  /** Sequential runs: the precision target, the most blocks, the wall-time budget. */
  precision?: string;
  maxRepetitions?: string;
  timeBudget?: string;
  out?: string;
  json?: boolean;
  shard?: string;
  cgroupParent?: string;
  seed?: string;
  readyTimeout?: string;
  /** Run the quick `isobench doctor` set first and record it (also `doctor: true` in the scenario). */
  doctor?: boolean;
  /** Called with each finished results folder (the report renderer hooks in here). */
  afterFinish?: (dir: string) => Promise<void>;
}

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_SCENARIO = 'scenarios/web-vs-db.yaml';

/** A relative scenario path is looked up in the current directory, then among isobench's own scenarios. */
export function resolveScenarioFile(file: string): string {
  if (existsSync(file)) return file;
  const bundled = join(PACKAGE_ROOT, file);
  return existsSync(bundled) ? bundled : file;
}

interface Unit {
  /** Variant name, or null for a plain run. */
  variant: string | null;
  scenario: Scenario;
  plan: RunPlan;
  seedFrom: SeedSource;
  outDir: string;
  prepared: PreparedRun;
  writer?: ResultsWriter;
  trials: TrialRecord[];
}

async function loadUnits(file: string, opts: RunOptions): Promise<Unit[]> {
  const shard = opts.shard ? parseShard(opts.shard) : undefined;
  const variants = parseVariants(opts.variant ?? []);
  const units: Omit<Unit, 'plan' | 'seedFrom' | 'outDir' | 'prepared'>[] = [];
  for (const v of variants.length ? variants : [{ name: null, set: [] as string[] }]) {
    const { scenario } = await validateScenarioFile(file, {
      set: [...(opts.set ?? []), ...v.set],
      ...(opts.duration ? { duration: opts.duration } : {}),
      ...(opts.warmup ? { warmup: opts.warmup } : {}),
      ...(opts.repetitions ? { repetitions: opts.repetitions } : {}),
      ...sequentialFlags(opts),
      workloadParams: WORKLOAD_PARAMS,
    });
    units.push({ variant: v.name, scenario, trials: [] });
  }
  const first = units[0]?.scenario as Scenario;
  const { seed, seedFrom } = chooseSeed({ seedOption: opts.seed, units, sharded: shard !== undefined });
  const base = resolve(opts.out ?? join(first.outputDir, resultsDirName(new Date(), first.name)));
  const planOf = (sc: Scenario) => planRun(sc, { seed, ...(shard ? { shard } : {}) });
  const firstIds = planOf(first)
    .trials.map((t) => t.id)
    .join(' ');
  return units.map((u) => {
    const plan = planOf(u.scenario);
    // Variants change settings, not the shape of the plan: trial i of each must be the same trial.
    if (plan.trials.map((t) => t.id).join(' ') !== firstIds) {
      throw new UsageError(
        'ISOBENCH_VARIANT_PLAN',
        `--variant ${u.variant}: it plans different trials from the first variant; variants may change settings, not cells, phases or repetitions`,
      );
    }
    return { ...u, plan, seedFrom, outDir: u.variant ? join(base, u.variant) : base, prepared: {} };
  });
}

/** The order trials run in: plain runs in plan order; variants alternate, A B then B A, per trial. */
function schedule(units: Unit[]): { unit: Unit; index: number }[] {
  const steps: { unit: Unit; index: number }[] = [];
  const n = units[0]?.plan.trials.length ?? 0;
  for (let i = 0; i < n; i++) {
    const order = i % 2 === 0 ? units : [...units].reverse();
    for (const unit of order) steps.push({ unit, index: i });
  }
  return steps;
}

interface RunContext {
  registry: Registry;
  host: HostFingerprint;
  startedAt: string;
  file: string;
  /** Every variant's name, in schedule order; null for a plain run. */
  variants: string[] | null;
  /** The host verification run before the first trial (`--doctor`), or null. */
  doctor: DoctorRecord | null;
}

/**
 * A unit's results. `outcome` absent: a snapshot for a sequential look (cells not summarized);
 * a sequential run records the blocks it ran, not the maximum it planned.
 */
function resultsOf(unit: Unit, run: RunContext, interrupted: boolean, outcome?: LoopOutcome): ResultsFile {
  const { scenario, plan } = unit;
  const { registry, host, startedAt, file } = run;
  const seq: SequentialRecord | null = outcome?.sequential ?? null;
  const perBlock = plan.cells.length * plan.phases.length;
  const ranBlocks = Math.max(0, ...unit.trials.map((t) => t.repetition));
  const repetitions = plan.sequential ? Math.max(1, ranBlocks) : scenario.repetitions;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: unit.variant ? `${registry.runId}-${unit.variant}` : registry.runId,
    status: interrupted ? 'interrupted' : 'complete',
    startedAt,
    finishedAt: new Date().toISOString(),
    command: ['isobench', ...process.argv.slice(2)],
    host,
    scenario: {
      name: scenario.name,
      file,
      text: scenario.text,
      overrides: scenario.overrides,
      seed: plan.seed,
      seedFrom: unit.seedFrom,
      repetitions,
      shard: plan.shard,
      totalTrials: plan.sequential ? repetitions * perBlock : plan.totalTrials,
      phases: plan.phases,
    },
    cells: outcome
      ? summarizeCells({ cells: plan.cells, phases: plan.phases, trials: unit.trials })
      : plan.cells.map((c) => ({ ...c, containers: {} })),
    trials: unit.trials,
    variant:
      unit.variant && run.variants
        ? { name: unit.variant, group: registry.runId, variants: run.variants }
        : null,
    sequential: seq,
    ...(run.doctor ? { doctor: run.doctor } : {}),
  };
}

export async function runMain(fileArg: string | undefined, opts: RunOptions): Promise<number> {
  const file = resolveScenarioFile(fileArg ?? DEFAULT_SCENARIO);
  const units = await loadUnits(file, opts);
  refuseShardedSequential(units);
  const readyTimeoutMs = parseDurationMs(opts.readyTimeout ?? '120s', '--ready-timeout');
  const registry = new Registry();
  const driver = openDriver(registry, { parent: opts.cgroupParent });
  // The measuring tools' CPUs, kept out of the containers' cpusets (before limits are checked).
  const reservation = reserveCpus(units[0]?.scenario.harnessCpus ?? null, onlineCpus());
  for (const u of units) applyReservation(u.scenario, reservation);
  const harnessCpus = reservation.harness ? formatCpuList(reservation.harness) : null;
  for (const u of units) {
    u.prepared = prepareRun(u.scenario, driver, join(u.outDir, 'work'));
    preflightRun(u.scenario, join(u.outDir, 'work'));
  }
  for (const w of units[0]?.scenario.warnings ?? []) process.stderr.write(`warning: ${file}: ${w}\n`);

  const steps = schedule(units);
  const rule = sequentialRuleOf(units);
  const progress = new Progress(steps.length);
  // Before the first thing is created (results folders, the registry's state file), so that a signal
  // removes it: by the default action, isobench left /run/isobench/<run>.json behind.
  const { abort, off } = stopOnSignals(progress);
  let unpin: (() => Promise<void>) | null = null;
  try {
    for (const u of units) {
      u.writer = await ResultsWriter.open(u.outDir);
      registry.addTempDir(join(u.outDir, 'work'));
    }
    for (const u of units)
      progress.line(
        `isobench run: ${u.scenario.name}${u.variant ? ` (variant ${u.variant})` : ''}: ${rule ? `${u.plan.repetitions * u.plan.cells.length * u.plan.phases.length} to ` : ''}${u.plan.trials.length} trials -> ${u.outDir}`,
      );
    if (rule) progress.line(`sequential: ${rule.text}`);
    progress.line(reservation.note);
    const first = units[0] as Unit;
    // The doctor stops on the run's signal (it tears down the check in flight).
    const doctor =
      opts.doctor || first.scenario.doctor
        ? await preflightDoctor(first.scenario, first.outDir, opts, (l) => progress.line(l), abort.signal)
        : null;
    if (doctor?.interrupted) return RUN_EXIT.interrupted;
    const startedAt = new Date().toISOString();
    const run: RunContext = {
      registry,
      host: await collectHost(),
      startedAt,
      file,
      variants: units[0]?.variant ? units.map((u) => u.variant as string) : null,
      doctor: doctor?.record ?? null,
    };
    for (const u of units) u.writer?.writeHeader(resultsOf(u, run, true));
    for (const u of units)
      await prepareTemplates(u.scenario, u.prepared, {
        timeoutMs: readyTimeoutMs,
        log: (l) => progress.line(l),
      });
    if (reservation.harness) unpin = await pinSelf(reservation.harness);
    const outcome = await runSteps(
      units,
      steps,
      {
        driver,
        harnessCpus,
        readyTimeoutMs,
        signal: abort.signal,
        progress,
        snapshot: (u) => resultsOf(u, run, false),
      },
      rule,
    );
    const finished: { dir: string; results: ResultsFile }[] = [];
    for (const u of units) {
      const results = resultsOf(u, run, abort.signal.aborted, outcome);
      u.writer?.finish(results);
      finished.push({ dir: u.outDir, results });
    }
    for (const f of finished) await opts.afterFinish?.(f.dir);
    for (const f of finished) {
      if (opts.json) process.stdout.write(`${JSON.stringify(headlineJson(f.dir, f.results))}\n`);
      else process.stdout.write(headline(f.dir, f.results));
    }
  } finally {
    off();
    await unpin?.();
    await registry.teardown();
  }
  return runExitStatus(
    abort.signal.aborted,
    units.flatMap((u) => u.trials),
  );
}
