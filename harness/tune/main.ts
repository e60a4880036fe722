/**
 * `isobench tune SCENARIO --victim web --slo 'latencyP99Us<=20ms' --knob PATH=LO..HI ...`:
 * the loosest settings of the knobs that keep the victim within its SLO next to the
 * scenario's other containers (search.ts), each point judged by co-located trials added one at
 * a time until the verdict is settled (verdict.ts, point.ts). Everything is validated before
 * the first cgroup exists: the scenario at both ends of every knob, the victim, the SLO, the
 * options. Writes DIR/tune.json (record.ts), DIR/report.html (reports/tune.ts), and each
 * point's trials as a results folder (DIR/points/NN/).
 */
import { join, resolve } from 'node:path';
import { WORKLOAD_PARAMS } from '../../workloads/index.js';
import { openDriver } from '../cgroup/index.js';
import { IsobenchError, quote, UsageError } from '../errors.js';
import { collectHost } from '../host/fingerprint.js';
import { makeDirs } from '../mkdirs.js';
import { resultsDirName } from '../results/paths.js';
import { writeFileAtomic } from '../results/writer.js';
import { applyReservation, formatCpuList, onlineCpus, pinSelf, reserveCpus } from '../run/cpus.js';
import { Progress } from '../run/progress.js';
import { resolveScenarioFile } from '../run/runner.js';
import { stopOnSignals } from '../run/signals.js';
import { TRIAL_OVERHEAD_MS } from '../scenario/plan.js';
import type { PhaseSpec, Scenario } from '../scenario/types.js';
import { validateScenarioFile } from '../scenario/validate.js';
import { Registry } from '../teardown/registry.js';
import { parseDurationMs } from '../units.js';
import { Budget } from './budget.js';
import { formatKnobValue, type Knob, knobLabel, parseKnob, parseResolution } from './knob.js';
import {
  type PointEvaluation,
  pointLabel,
  pointPlan,
  runPoint,
  type TuneRuntime,
  type TuneSession,
} from './point.js';
import { TUNE_SCHEMA_VERSION, type TuneFile, tuneFileSchema } from './record.js';
import { type SearchOutcome, search } from './search.js';
import { formatMetric, parseSlo } from './slo.js';
import { outcomeText, planText, table } from './text.js';
import { DEFAULT_RULE, type PointRule } from './verdict.js';

export { bisectionSteps } from './text.js';

export interface TuneOptions {
  victim?: string;
  slo?: string;
  knob?: string[];
  budget?: string;
  maxPoints?: string;
  maxTrials?: string;
  minTrials?: string;
  resolution?: string;
  phase?: string;
  cell?: string;
  set?: string[];
  duration?: string;
  warmup?: string;
  output?: string;
  seed?: string;
  dryRun?: boolean;
  readyTimeout?: string;
  cgroupParent?: string;
  /** Writes the report of a finished tune folder (reports/tune.ts hooks in here). */
  afterFinish?: (dir: string) => Promise<void>;
}

/** Exit statuses: 0 a recommendation, 1 none (infeasible in the ranges, or none settled), 2 bad input, 130 interrupted. */
export const TUNE_EXIT = { recommended: 0, none: 1, interrupted: 130 } as const;

const opt = (why: string) => new UsageError('ISOBENCH_TUNE_OPTION', why);

function intOption(flag: string, text: string | undefined, dflt: number, min: number): number {
  if (text === undefined) return dflt;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw opt(`${flag}: expected a whole number of at least ${min}, got ${quote(text)}`);
  return n;
}

/** The co-located phase the trials run: --phase, or the one with the victim and the most containers. */
function phaseOf(scenario: Scenario, victim: string, name: string | undefined): PhaseSpec {
  const withVictim = scenario.phases.filter((p) => p.kind === 'colocated' && p.containers.includes(victim));
  if (name !== undefined) {
    const p = scenario.phases.find((x) => x.name === name);
    if (!p || !withVictim.includes(p))
      throw opt(
        `--phase: expected a co-located phase that runs ${victim} (${withVictim.map((x) => x.name).join(', ') || 'there is none'}), got ${quote(name)}`,
      );
    return p;
  }
  const best = [...withVictim].sort((a, b) => b.containers.length - a.containers.length)[0];
  if (!best)
    throw new UsageError(
      'ISOBENCH_TUNE_VICTIM',
      `--victim ${victim}: no co-located phase of ${scenario.name} runs it (a tune measures the victim next to its neighbours)`,
    );
  return best;
}

/** Everything checked before anything is created; the session the points share. */
export async function prepareTune(
  fileArg: string,
  o: TuneOptions,
): Promise<{
  session: TuneSession;
  base: Scenario;
  resolution: number;
  budgetMs: number | null;
  maxPoints: number | null;
  trialMs: number;
}> {
  const file = resolveScenarioFile(fileArg);
  if (!o.victim) throw opt('--victim: required (the container whose SLO the search keeps)');
  if (!o.slo) throw new UsageError('ISOBENCH_BAD_SLO', '--slo: required, such as latencyP99Us<=20ms');
  if (!o.knob || o.knob.length === 0)
    throw new UsageError(
      'ISOBENCH_BAD_KNOB',
      '--knob: at least one is required, such as containers.db.limits.io.max.wbps=1MiB..200MiB',
    );
  const slo = parseSlo(o.slo);
  const knobs = o.knob.map((k) => parseKnob(k, o.victim as string));
  const paths = new Set<string>();
  for (const k of knobs) {
    if (paths.has(k.path))
      throw new UsageError('ISOBENCH_BAD_KNOB', `--knob ${quote(k.text)}: ${k.path} is given twice`);
    paths.add(k.path);
  }
  const minTrials = intOption('--min-trials', o.minTrials, DEFAULT_RULE.minTrials, 1);
  const maxTrials = intOption('--max-trials', o.maxTrials, DEFAULT_RULE.maxTrials, 6);
  if (minTrials > maxTrials) throw opt(`--min-trials ${minTrials} is above --max-trials ${maxTrials}`);
  const rule: PointRule = { alpha: DEFAULT_RULE.alpha, minTrials, maxTrials };
  const resolution = parseResolution(o.resolution ?? '10%');
  let budgetMs: number | null = null;
  if (o.budget !== undefined) {
    try {
      budgetMs = parseDurationMs(o.budget, '--budget');
    } catch (err) {
      throw opt(err instanceof Error ? err.message : String(err));
    }
  }
  const seed = intOption('--seed', o.seed, 1, 0);
  const maxPoints = o.maxPoints === undefined ? null : intOption('--max-points', o.maxPoints, 0, 1);
  const { scenario: base } = await validateScenarioFile(file, {
    set: o.set ?? [],
    ...(o.duration ? { duration: o.duration } : {}),
    ...(o.warmup ? { warmup: o.warmup } : {}),
    workloadParams: WORKLOAD_PARAMS,
  });
  const containers = Object.keys(base.cells[0]?.containers ?? {});
  if (!containers.includes(o.victim))
    throw new UsageError(
      'ISOBENCH_TUNE_VICTIM',
      `--victim: no container ${quote(o.victim)} in ${base.name} (have ${containers.join(', ')})`,
    );
  const victimSpec = base.cells[0]?.containers[o.victim];
  const loadMetric = /^(latency|throughput|error|timeout|lateSend|goodput|uncorrected)/.test(slo.metric);
  if (loadMetric && victimSpec && victimSpec.load === null)
    throw new UsageError(
      'ISOBENCH_TUNE_VICTIM',
      `--slo ${slo.text}: ${slo.metric} is measured by the load generator, and ${o.victim} is not driven by one (no load:); use a metric it records, such as commitP99Us or txnPerSec for a database`,
    );
  for (const k of knobs)
    if (k.container !== null && !containers.includes(k.container))
      throw new UsageError(
        'ISOBENCH_BAD_KNOB',
        `--knob ${quote(k.text)}: no container ${quote(k.container)} in ${base.name} (have ${containers.join(', ')})`,
      );
  let cellSettings = {};
  if (o.cell !== undefined) {
    const cell = base.cells.find((c) => c.name === o.cell);
    if (!cell)
      throw opt(`--cell: expected one of ${base.cells.map((c) => c.name).join(', ')}, got ${quote(o.cell)}`);
    cellSettings = cell.settings;
  }
  const phase = phaseOf(base, o.victim, o.phase);
  const session: TuneSession = {
    file,
    set: o.set ?? [],
    ...(o.duration ? { duration: o.duration } : {}),
    ...(o.warmup ? { warmup: o.warmup } : {}),
    cellSettings,
    hasSweep: /^sweep\s*:/m.test(base.text),
    phase,
    knobs,
    victim: o.victim,
    slo,
    rule,
    seed,
  };
  // Both ends of every knob, the others tight, validated like a run (a bad path or value quoted).
  for (const [i, k] of knobs.entries()) {
    for (const end of [k.tight, k.loose]) {
      const values = knobs.map((x, j) => (j === i ? end : x.tight));
      try {
        await pointPlan(session, values, 'check');
      } catch (err) {
        if (err instanceof IsobenchError && err.exitCode === 2)
          throw new UsageError(
            'ISOBENCH_BAD_KNOB',
            `--knob ${quote(k.text)} at ${formatKnobValue(k, end)}: ${err.message.replace(/--set cells\.0\.set\./g, '')}`,
            {
              cause: err,
            },
          );
        throw err;
      }
    }
  }
  const cell = base.cells[0];
  const trialMs = (cell?.warmupMs ?? 0) + (cell?.durationMs ?? 0) + TRIAL_OVERHEAD_MS;
  return { session, base, resolution, budgetMs, maxPoints, trialMs };
}

export async function tuneMain(fileArg: string, o: TuneOptions): Promise<number> {
  const { session, base, resolution, budgetMs, maxPoints, trialMs } = await prepareTune(fileArg, o);
  const progress = new Progress(0);
  const log = (l: string) => progress.line(l);
  const plan = planText(session, resolution, budgetMs, trialMs);
  if (maxPoints !== null) plan.push(`at most ${maxPoints} points (--max-points)`);
  if (o.dryRun) {
    process.stdout.write(
      `isobench tune: ${base.name} (dry run, nothing started)\n${plan.map((l) => `  ${l}\n`).join('')}`,
    );
    return 0;
  }
  const readyTimeoutMs = parseDurationMs(o.readyTimeout ?? '120s', '--ready-timeout');
  const outDir = resolve(o.output ?? join(base.outputDir, resultsDirName(new Date(), `${base.name}-tune`)));
  const registry = new Registry();
  const driver = openDriver(registry, { parent: o.cgroupParent });
  const reservation = reserveCpus(base.harnessCpus, onlineCpus());
  applyReservation(base, reservation);
  const { abort, off } = stopOnSignals(progress);
  let unpin: (() => Promise<void>) | null = null;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const budget = new Budget(budgetMs, () => performance.now(), trialMs, session.rule, maxPoints);
  let tune: TuneFile | null = null;
  try {
    makeDirs(outDir);
    registry.addTempDir(join(outDir, 'work'));
    log(`isobench tune: ${base.name} -> ${outDir}`);
    for (const l of plan) log(`  ${l}`);
    log(reservation.note);
    const rt: TuneRuntime = {
      driver,
      runId: registry.runId,
      host: await collectHost(),
      reservation,
      harnessCpus: reservation.harness ? formatCpuList(reservation.harness) : null,
      readyTimeoutMs,
      signal: abort.signal,
      budget,
      outDir,
      log,
      madeTemplates: new Set(),
    };
    if (reservation.harness) unpin = await pinSelf(reservation.harness);
    const points: PointEvaluation[] = [];
    const record = (outcome: SearchOutcome<PointEvaluation> | null, interrupted: boolean): TuneFile => {
      const o2: SearchOutcome<PointEvaluation> = outcome ?? {
        status: 'interrupted',
        recommendation: null,
        brackets: session.knobs.map(() => ({ meets: null, fails: null, withinResolution: false })),
        points: [],
        cycles: 0,
      };
      const rec = o2.recommendation;
      const t: TuneFile = {
        schemaVersion: TUNE_SCHEMA_VERSION,
        tuneId: registry.runId,
        status: interrupted ? 'interrupted' : 'complete',
        startedAt,
        finishedAt: new Date().toISOString(),
        command: ['isobench', ...process.argv.slice(2)],
        host: rt.host,
        scenario: {
          name: base.name,
          file: session.file,
          text: base.text,
          phase: session.phase.name,
          containers: session.phase.containers,
          cell: o.cell ?? null,
          set: session.set,
        },
        victim: session.victim,
        slo: {
          metric: session.slo.metric,
          op: session.slo.op,
          threshold: session.slo.threshold,
          text: session.slo.text,
        },
        knobs: session.knobs.map((k) => ({
          path: k.path,
          label: knobLabel(k),
          text: k.text,
          unit: k.unit,
          tight: k.tight,
          loose: k.loose,
          scale: k.scale,
          looserRule: k.looserRule,
        })),
        rule: { ...session.rule, resolution, budgetMs, text: plan.slice(-2).join('; ') },
        points: [...points],
        outcome: {
          status: o2.status,
          recommendation: rec
            ? {
                values: rec.values,
                formatted: session.knobs.map((k, i) => formatKnobValue(k, rec.values[i] as number)),
                set: session.knobs.map((k, i) => `${k.path}=${formatKnobValue(k, rec.values[i] as number)}`),
                point:
                  points.find((p) => p.verdict === 'meets' && p.values.every((v, i) => v === rec.values[i]))
                    ?.index ?? null,
              }
            : null,
          brackets: o2.brackets,
          cycles: o2.cycles,
          text: outcome ? outcomeText(o2, session) : 'interrupted',
        },
        elapsedMs: Math.round(performance.now() - started),
      };
      return t;
    };
    const save = (t: TuneFile) =>
      writeFileAtomic(join(outDir, 'tune.json'), `${JSON.stringify(t, null, 2)}\n`);
    const outcome = await search<PointEvaluation>(
      { knobs: session.knobs, resolution },
      {
        mayStart: () => !abort.signal.aborted && budget.mayStartPoint(),
        stopReason: () => (abort.signal.aborted ? 'interrupted' : 'budget'),
        evaluate: async (values, role, knob, cycle) => {
          const p = await runPoint(session, rt, values, points.length + 1, role, knob, cycle);
          if (p === null) return null;
          points.push(p);
          save(record(null, true));
          const m = session.slo.metric;
          log(
            `point ${p.index}: ${pointLabel(session.knobs, values)}: ${p.verdict}${p.stoppedBy === 'budget' ? ' (stopped by the budget)' : p.verdict === 'unsettled' ? ` (not settled in ${p.trials} trials: counted as not meeting)` : ''}; median ${formatMetric(m, p.estimate.median)}${p.estimate.low === null ? '' : `, interval ${formatMetric(m, p.estimate.low)} to ${formatMetric(m, p.estimate.high)}`}, ${p.trials} trials, ${Math.round(p.elapsedMs / 1000)} s`,
          );
          return p;
        },
      },
    );
    tune = record(outcome, abort.signal.aborted);
    tuneFileSchema.parse(tune);
    save(tune);
    await o.afterFinish?.(outDir);
    process.stdout.write(
      [
        '',
        `recommendation: ${tune.outcome.text}`,
        ...(tune.outcome.recommendation
          ? [`  --set ${tune.outcome.recommendation.set.join(' --set ')}`]
          : []),
        ...tune.knobs.map((k, i) => {
          const b = tune?.outcome.brackets[i];
          const kk = session.knobs[i] as Knob;
          return b?.meets === null || b === undefined
            ? `  ${k.label}: no value met the SLO`
            : `  ${k.label}: met at ${formatKnobValue(kk, b.meets)}${b.fails === null ? ' (the loosest end)' : `, not at ${formatKnobValue(kk, b.fails)}`}${b.withinResolution ? '' : ' (bracket wider than the resolution)'}`;
        }),
        '',
        ...table(tune),
        '',
        `${tune.points.length} points, ${tune.points.reduce((n, p) => n + p.trials, 0)} trials, ${Math.round(tune.elapsedMs / 1000)} s -> ${outDir}`,
        '',
      ].join('\n'),
    );
  } finally {
    off();
    await unpin?.();
    await registry.teardown();
  }
  if (abort.signal.aborted) return TUNE_EXIT.interrupted;
  return tune?.outcome.recommendation ? TUNE_EXIT.recommended : TUNE_EXIT.none;
}
