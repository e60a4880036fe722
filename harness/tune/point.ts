/**
 * One point of a tune: the scenario with the knob values applied as one cell's `set:` (the same
 * path mechanism as a cell in a file), only the co-located phase that runs the victim, planned
 * for the per-point maximum of trials; the run loop (run/loop.ts) runs them one after another
 * and its `afterBlock` hook stops it once the SLO verdict is settled (verdict.ts) or the next
 * trial would overrun the budget. The trials go to a results folder of their own
 * (points/NN-.../), written as a run writes them.
 */
import { join } from 'node:path';
import { WORKLOAD_PARAMS } from '../../workloads/index.js';
import { summarizeCells } from '../analysis/summarize.js';
import type { CgroupDriver } from '../cgroup/driver.js';
import type { Launcher } from '../container/spawn.js';
import { UsageError } from '../errors.js';
import type { HostFingerprint, ResultsFile, TrialRecord } from '../results/types.js';
import { RESULTS_SCHEMA_VERSION } from '../results/types.js';
import { ResultsWriter } from '../results/writer.js';
import { applyReservation, type Reservation } from '../run/cpus.js';
import { prepareTemplates } from '../run/data.js';
import { type LoopUnit, runSteps } from '../run/loop.js';
import { preflightRun } from '../run/preflight.js';
import { type PreparedRun, prepareRun } from '../run/prepare.js';
import { Progress } from '../run/progress.js';
import { planRun, type RunPlan } from '../scenario/plan.js';
import type { PhaseSpec, Scalar, Scenario } from '../scenario/types.js';
import { validateScenarioFile } from '../scenario/validate.js';
import { type Budget, nextTrial } from './budget.js';
import { formatKnobValue, type Knob, knobLabel } from './knob.js';
import type { PointRecord } from './record.js';
import type { PointRole } from './search.js';
import { formatMetric, type Slo } from './slo.js';
import { PointJudge, type PointRule } from './verdict.js';

/** What every point of a tune shares. */
export interface TuneSession {
  file: string;
  /** --set, and the duration / warmup shorthands. */
  set: string[];
  duration?: string;
  warmup?: string;
  /** The settings of the scenario cell the points start from (--cell), or {}. */
  cellSettings: Record<string, Scalar>;
  /** Whether the scenario has a sweep (replaced by the point's cell). */
  hasSweep: boolean;
  phase: PhaseSpec;
  knobs: readonly Knob[];
  victim: string;
  slo: Slo;
  rule: PointRule;
  seed: number;
}

/** What running points needs besides the session (absent in --dry-run and for validation). */
export interface TuneRuntime {
  driver: CgroupDriver;
  runId: string;
  host: HostFingerprint;
  reservation: Reservation;
  harnessCpus: string | null;
  readyTimeoutMs: number;
  signal: AbortSignal;
  budget: Budget;
  outDir: string;
  log: (line: string) => void;
  /** Templates made so far (a point with the same workload arguments reuses them). */
  madeTemplates: Set<string>;
  launch?: Launcher;
}

/** `db.io.max.wbps=14.5MiB, db.cpu.weight=100`. */
export function pointLabel(knobs: readonly Knob[], values: readonly number[]): string {
  return knobs.map((k, i) => `${knobLabel(k)}=${formatKnobValue(k, values[i] as number)}`).join(', ');
}

/** The `--set` arguments that make a scenario run this point: one cell with the knob values. */
export function pointOverrides(s: TuneSession, values: readonly number[], name: string): string[] {
  const settings: Record<string, Scalar> = { ...s.cellSettings };
  s.knobs.forEach((k, i) => {
    settings[k.path] = values[i] as number;
  });
  return [
    ...s.set,
    `cells=${JSON.stringify([{ name, set: settings }])}`,
    ...(s.hasSweep ? ['sweep={}'] : []),
  ];
}

/** The point's scenario (validated like a run's) and its plan: the phase alone, up to maxTrials. */
export async function pointPlan(
  s: TuneSession,
  values: readonly number[],
  name: string,
): Promise<{ scenario: Scenario; plan: RunPlan }> {
  const { scenario: full } = await validateScenarioFile(s.file, {
    set: pointOverrides(s, values, name),
    ...(s.duration ? { duration: s.duration } : {}),
    ...(s.warmup ? { warmup: s.warmup } : {}),
    workloadParams: WORKLOAD_PARAMS,
  });
  const scenario: Scenario = {
    ...full,
    phases: [s.phase],
    repetitions: s.rule.maxTrials,
    sequential: null,
    // The tune's own warnings are printed once; a colocated phase alone is what a tune runs.
    warnings: [],
  };
  return { scenario, plan: planRun(scenario, { seed: s.seed }) };
}

function pointResults(
  unit: { scenario: Scenario; plan: RunPlan; trials: TrialRecord[] },
  rt: TuneRuntime,
  file: string,
  startedAt: string,
  index: number,
  interrupted: boolean,
): ResultsFile {
  const { scenario, plan, trials } = unit;
  const repetitions = Math.max(1, ...trials.map((t) => t.repetition));
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: `${rt.runId}-p${index}`,
    status: interrupted ? 'interrupted' : 'complete',
    startedAt,
    finishedAt: new Date().toISOString(),
    command: ['isobench', ...process.argv.slice(2)],
    host: rt.host,
    scenario: {
      name: scenario.name,
      file,
      text: scenario.text,
      overrides: scenario.overrides,
      seed: plan.seed,
      seedFrom: 'option',
      repetitions,
      shard: null,
      totalTrials: repetitions,
      phases: plan.phases,
    },
    cells: summarizeCells({ cells: plan.cells, phases: plan.phases, trials }),
    trials,
    variant: null,
    sequential: null,
  };
}

/** The limits each container had, as read back in a trial: container -> v2 name -> `value (file: raw)`. */
function appliedOf(t: TrialRecord | undefined): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const c of t?.containers ?? []) {
    out[c.name] = Object.fromEntries(
      Object.entries(c.limits.applied).map(([k, a]) => [k, `${a.value} (${a.file}: ${a.raw.trim()})`]),
    );
  }
  return out;
}

export type PointEvaluation = PointRecord;

/** Runs the trials of one point until its verdict is settled; its record (verdict 'unsettled' when stopped by the budget). */
export async function runPoint(
  s: TuneSession,
  rt: TuneRuntime,
  values: number[],
  index: number,
  role: PointRole,
  knob: number | null,
  cycle: number,
): Promise<PointEvaluation | null> {
  const label = pointLabel(s.knobs, values);
  const name = `p${index}`;
  const dirName = `points/${String(index).padStart(2, '0')}`;
  const outDir = join(rt.outDir, dirName);
  const { scenario, plan } = await pointPlan(s, values, name);
  applyReservation(scenario, rt.reservation);
  const workRoot = join(rt.outDir, 'work');
  const prepared = prepareRun(scenario, rt.driver, workRoot);
  preflightRun(scenario, workRoot);
  // Templates depend on the workloads' arguments, not on limits: make each one once per tune.
  const toMake: PreparedRun = {};
  for (const [cell, perContainer] of Object.entries(prepared))
    toMake[cell] = Object.fromEntries(
      Object.entries(perContainer).filter(([, p]) => !p.templateDir || !rt.madeTemplates.has(p.templateDir)),
    );
  await prepareTemplates(scenario, toMake, { timeoutMs: rt.readyTimeoutMs, log: rt.log });
  for (const perContainer of Object.values(prepared))
    for (const p of Object.values(perContainer)) if (p.templateDir) rt.madeTemplates.add(p.templateDir);

  const startedAt = new Date().toISOString();
  const writer = await ResultsWriter.open(outDir);
  const unit: LoopUnit & { scenario: Scenario } = {
    variant: null,
    scenario,
    plan,
    prepared,
    writer,
    trials: [],
  };
  writer.writeHeader(pointResults(unit, rt, s.file, startedAt, index, true));
  const judge = new PointJudge(s.slo, s.rule);
  let seen = 0;
  let failed = 0;
  let invalid = 0;
  let stoppedBy: PointRecord['stoppedBy'] = 'max-trials';
  let missing: string | null = null;
  let last = performance.now();
  const started = last;
  rt.log(`point ${index} (${role}${knob === null ? '' : ` ${knobLabel(s.knobs[knob] as Knob)}`}): ${label}`);
  const progress = new Progress(s.rule.maxTrials);
  await runSteps(
    [unit],
    plan.trials.map((_, i) => ({ unit, index: i })),
    {
      driver: rt.driver,
      harnessCpus: rt.harnessCpus,
      readyTimeoutMs: rt.readyTimeoutMs,
      signal: rt.signal,
      progress,
      snapshot: () => pointResults(unit, rt, s.file, startedAt, index, false),
      ...(rt.launch ? { launch: rt.launch } : {}),
      afterBlock: () => {
        const now = performance.now();
        rt.budget.recordTrial(now - last);
        last = now;
        for (const t of unit.trials.slice(seen)) {
          if (t.status === 'invalid') {
            invalid++;
            continue;
          }
          if (t.status === 'failed') {
            failed++;
            judge.add(null);
            rt.log(`  trial ${judge.trials}: failed (${t.reason}): counts as a trial without a value`);
            continue;
          }
          const v = t.containers.find((c) => c.name === s.victim)?.metrics[s.slo.metric];
          if (v === null || v === undefined) {
            missing = `the victim ${s.victim} recorded no ${s.slo.metric} (it records: ${Object.entries(
              t.containers.find((c) => c.name === s.victim)?.metrics ?? {},
            )
              .filter(([, x]) => x !== null && x !== undefined)
              .map(([k]) => k)
              .join(', ')})`;
            return true;
          }
          judge.add(v);
          const look = judge.looks.at(-1);
          const iv =
            look && look.n === judge.values.length && look.low !== null
              ? `; median ${formatMetric(s.slo.metric, look.median)}, ${(look.level * 100).toFixed(1)}% interval ${formatMetric(s.slo.metric, look.low)} to ${formatMetric(s.slo.metric, look.high)}`
              : '';
          rt.log(
            `  trial ${judge.trials}: ${s.slo.metric} ${formatMetric(s.slo.metric, v)}${iv}${judge.verdict ? ` -> ${judge.verdict}` : ''}`,
          );
        }
        seen = unit.trials.length;
        const next = nextTrial(judge.verdict !== null, rt.budget);
        if (next === 'settled') stoppedBy = judge.verdict === 'unsettled' ? 'max-trials' : 'settled';
        if (next === 'budget') stoppedBy = 'budget';
        return next !== 'run';
      },
    },
    null,
  );
  writer.finish(pointResults(unit, rt, s.file, startedAt, index, rt.signal.aborted));
  if (missing) throw new UsageError('ISOBENCH_TUNE_VICTIM', `--slo ${s.slo.text}: ${missing}`);
  if (rt.signal.aborted) return null;
  rt.budget.recordPoint(judge.trials);
  const verdict = judge.verdict === 'meets' || judge.verdict === 'violates' ? judge.verdict : 'unsettled';
  const est = judge.estimate();
  return {
    index,
    role,
    knob,
    cycle,
    values,
    formatted: s.knobs.map((k, i) => formatKnobValue(k, values[i] as number)),
    verdict,
    stoppedBy,
    trials: judge.trials,
    failed,
    invalid,
    samples: [...judge.values],
    estimate: est,
    looks: judge.looks.map((l) => ({ ...l })),
    applied: appliedOf(unit.trials.filter((t) => t.status === 'ok').at(-1)),
    elapsedMs: Math.round(performance.now() - started),
    dir: dirName,
  };
}
