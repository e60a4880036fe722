/**
 * The trial loop of `isobench run`: the planned steps, block by block (a block is one
 * repetition of every cell and phase, of every variant), each trial appended to its folder as
 * it ends. A sequential run looks at the data after each block from its first look on, and
 * stops when its rule says so (sequential.ts); a fixed run runs every block.
 */
import type { CgroupDriver } from '../cgroup/driver.js';
import type { Launcher } from '../container/spawn.js';
import type {
  ResultsFile,
  SequentialLook,
  SequentialRecord,
  SequentialRule,
  TrialRecord,
} from '../results/types.js';
import type { ResultsWriter } from '../results/writer.js';
import type { RunPlan } from '../scenario/plan.js';
import type { GuardSpec } from '../scenario/types.js';
import { RunGenerators } from './generators.js';
import type { PreparedRun } from './prepare.js';
import type { Progress } from './progress.js';
import { evaluateLook, overBudget, stopText } from './sequential.js';
import { runTrial } from './trial.js';
import { Background } from './trial-state.js';

export interface LoopUnit {
  variant: string | null;
  scenario: { guards: GuardSpec };
  plan: RunPlan;
  prepared: PreparedRun;
  writer?: ResultsWriter;
  trials: TrialRecord[];
}

export interface Step<U extends LoopUnit> {
  unit: U;
  /** Index into unit.plan.trials. */
  index: number;
}

export interface LoopContext<U extends LoopUnit> {
  driver: CgroupDriver;
  /** CPUs reserved for isobench and its generators, or null. */
  harnessCpus: string | null;
  readyTimeoutMs: number;
  signal: AbortSignal;
  progress: Progress;
  /** Each unit's results as they stand, for a look (cells need not be summarized). */
  snapshot: (unit: U) => ResultsFile;
  /**
   * Called after each block (and its reruns) with the blocks done; true stops the loop there.
   * `isobench tune` stops a point's trials with it once the SLO verdict is settled.
   */
  afterBlock?: (blocksDone: number) => boolean;
  /** Starts containers (tests: a fake launcher); default isobench-init. */
  launch?: Launcher;
  /** The generators to use (default: the run's own, made by runSteps and ended with it). */
  generators?: RunGenerators;
}

export interface LoopOutcome {
  /** Repetition blocks completed. */
  blocks: number;
  sequential: SequentialRecord | null;
}

/** Steps grouped by the repetition block of their trial, in run order. */
function byBlock<U extends LoopUnit>(steps: readonly Step<U>[]): [number, Step<U>[]][] {
  const blocks = new Map<number, Step<U>[]>();
  for (const s of steps) {
    const rep = s.unit.plan.trials[s.index]?.repetition ?? 0;
    const list = blocks.get(rep) ?? [];
    list.push(s);
    blocks.set(rep, list);
  }
  return [...blocks].sort((a, b) => a[0] - b[0]);
}

function lookLine(look: SequentialLook, n: number): string {
  const widest = look.widest
    ? `widest interval ±${look.widest.halfWidth === null ? '∞' : `${(look.widest.halfWidth * 100).toFixed(1)}%`} (${look.widest.figure})`
    : 'no interval yet';
  const cmp = look.comparisons
    .map(
      (c) =>
        `${c.cand} vs ${c.base}: ${c.regression} regression, ${c.improvement} improvement, ${c.noChange} no-change, ${c.inconclusive} inconclusive`,
    )
    .join('; ');
  return `look ${n} after ${look.repetitions} blocks: ${cmp ? `${cmp}; ` : ''}${widest}; ${look.decision}`;
}

/** The trials' leftover work (data dirs being removed), awaited when the loop ends. */
const background = new Background();

/** Runs one step; 'interrupted', or the status of the trial it recorded. */
async function runStep<U extends LoopUnit>(
  step: Step<U>,
  n: number,
  ctx: LoopContext<U>,
  attempt = 1,
): Promise<'interrupted' | TrialRecord['status']> {
  const { unit, index } = step;
  const t = unit.plan.trials[index];
  if (!t) return 'ok';
  ctx.progress.trial(
    n,
    `${unit.variant ? `${unit.variant} · ` : ''}${t.cell.name} · ${t.phase.name} · repetition ${t.repetition}${attempt > 1 ? ' (rerun of an invalid trial)' : ''}`,
  );
  const out = await runTrial(
    {
      driver: ctx.driver,
      prepared: unit.prepared[t.cell.id] ?? {},
      readyTimeoutMs: ctx.readyTimeoutMs,
      stopGraceMs: 10_000,
      signal: ctx.signal,
      onPhase: (p) => ctx.progress.phase(p),
      guards: unit.scenario.guards,
      harnessCpus: ctx.harnessCpus,
      attempt,
      background,
      ...(ctx.generators ? { generators: ctx.generators } : {}),
      ...(ctx.launch ? { launch: ctx.launch } : {}),
    },
    t,
  );
  if (out === 'interrupted') {
    ctx.progress.trialDone('interrupted (not recorded)');
    return 'interrupted';
  }
  unit.writer?.appendTrial(out.record);
  unit.writer?.appendSamples(out.samples);
  unit.trials.push(out.record);
  const r = out.record;
  ctx.progress.trialDone(r.status === 'ok' ? 'ok' : `${r.status}: ${r.reason}`);
  return r.status;
}

/**
 * The steps of one block, then one rerun of each that came out invalid (a guard exceeded: a
 * loaded host, a late generator), at the end of the block so the rerun sees other conditions.
 */
async function runBlock<U extends LoopUnit>(
  block: Step<U>[],
  first: number,
  ctx: LoopContext<U>,
): Promise<number> {
  let n = first;
  const queue = [...block];
  for (let i = 0; i < queue.length; i++) {
    const step = queue[i] as Step<U>;
    if (ctx.signal.aborted) break;
    n++;
    const rerun = i >= block.length;
    const status = await runStep(step, n, ctx, rerun ? 2 : 1);
    if (status === 'interrupted') break;
    if (status === 'invalid' && !rerun) {
      queue.push(step);
      ctx.progress.addTrial();
    }
  }
  return n;
}

export async function runSteps<U extends LoopUnit>(
  units: readonly U[],
  steps: readonly Step<U>[],
  ctx: LoopContext<U>,
  rule: SequentialRule | null,
): Promise<LoopOutcome> {
  // The run's resident load generators (and their cgroup), from the first served trial to here.
  const generators = ctx.generators ?? new RunGenerators(ctx.driver, ctx.harnessCpus);
  try {
    return await runAll(units, steps, { ...ctx, generators }, rule);
  } finally {
    await background.settled();
    if (!ctx.generators) await generators.close();
  }
}

async function runAll<U extends LoopUnit>(
  units: readonly U[],
  steps: readonly Step<U>[],
  ctx: LoopContext<U>,
  rule: SequentialRule | null,
): Promise<LoopOutcome> {
  const started = performance.now();
  const looks: SequentialLook[] = [];
  let stop: SequentialRecord['stop'] | null = null;
  let done = 0;
  let n = 0;
  for (const [rep, block] of byBlock(steps)) {
    if (ctx.signal.aborted) break;
    if (rule && done >= rule.minRepetitions && overBudget(rule, performance.now() - started, done)) {
      stop = { reason: 'time-budget', repetitions: done, targetReached: false, text: '' };
      break;
    }
    n = await runBlock(block, n, ctx);
    if (ctx.signal.aborted) break;
    done = rep;
    if (ctx.afterBlock?.(done)) break;
    if (!rule || done < rule.minRepetitions) continue;
    const { look, stop: s } = evaluateLook(
      rule,
      {
        repetitions: done,
        trials: units.reduce((sum, u) => sum + u.trials.length, 0),
        elapsedMs: performance.now() - started,
        results: units.map(ctx.snapshot),
        variants: units[0]?.variant ? units.map((u) => u.variant as string) : null,
      },
      looks,
    );
    looks.push(look);
    ctx.progress.line(lookLine(look, looks.length));
    if (s) {
      stop = { ...s, repetitions: done, text: '' };
      break;
    }
  }
  if (!rule) return { blocks: done, sequential: null };
  stop ??= ctx.signal.aborted
    ? { reason: 'interrupted', repetitions: done, targetReached: false, text: '' }
    : { reason: 'max-repetitions', repetitions: done, targetReached: false, text: '' };
  stop.text = stopText({ rule, looks }, stop);
  ctx.progress.line(stop.text);
  return { blocks: done, sequential: { rule, looks, stop } };
}
