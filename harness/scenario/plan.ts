/**
 * The trial plan: cells x phases x repetitions, fixed before the first trial starts and run
 * interleaved so that drift over time (thermal state, page cache, a neighbour's backup job)
 * spreads over every cell and phase instead of lining up with one of them.
 *
 * Order: repetition-major. Repetition 1 runs every (cell, phase) once, in an order shuffled by
 * a seeded PRNG; then repetition 2 in a fresh order, and so on. Consecutive repetitions never
 * share an order when there is more than one (cell, phase), so a slow start or end of a
 * repetition does not always hit the same unit. The seed is in the plan, so the order can be
 * replayed exactly.
 */
import { createRng, seedFromString, shuffled } from '../analysis/random.js';
import { quote, UsageError } from '../errors.js';
import type { CellSpec, ContainerSpec, PhaseSpec, Scalar, Scenario, SequentialSpec } from './types.js';

/** `--shard I/N`: run trials whose index % N == I - 1; a later step merges shard folders. */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export interface PlannedTrial {
  /** `c1-colocated-r3`: stable across shards and runs of the same file, safe in file names. */
  id: string;
  /** Position in the full interleaved order (0-based), before sharding. */
  index: number;
  /** 1-based. */
  repetition: number;
  cell: { id: string; name: string; settings: Record<string, Scalar> };
  phase: PhaseSpec;
  durationMs: number;
  warmupMs: number;
  sampleIntervalMs: number;
  /** The phase's containers, fully resolved for this cell, in the phase's order. */
  containers: ContainerSpec[];
}

export interface RunPlan {
  scenario: string;
  seed: number;
  /** Repetition blocks (a sequential run: before its first look). */
  repetitions: number;
  /**
   * Blocks planned: `repetitions`, or a sequential run's maximum. The blocks past
   * `repetitions` are planned now, from the same seed, so that the extra blocks a sequential
   * run adds are as fixed in advance as the first ones; the run decides how many it runs.
   */
  maxRepetitions: number;
  /** The sequential rule, or null. */
  sequential: SequentialSpec | null;
  cells: { id: string; name: string; settings: Record<string, Scalar> }[];
  phases: PhaseSpec[];
  /** Trials in the whole run (all maxRepetitions blocks), all shards together. */
  totalTrials: number;
  shard: Shard | null;
  /** The trials this invocation may run, in order (a sequential run: up to its maximum). */
  trials: PlannedTrial[];
  /** Rough wall time of `trials` (a sequential run: of its first `repetitions` blocks), for the user's planning only. */
  estimatedDurationMs: number;
  /** A sequential run's rough wall time at its maximum; null for a fixed run. */
  estimatedMaxDurationMs: number | null;
}

export interface PlanOptions {
  shard?: Shard;
  /**
   * Seed of the order shuffle when the scenario does not pin one (`seed:` in the file, or
   * `--set seed=N`, wins). The runner should pass a fresh one per run; the plan records the
   * seed used. Without either, a seed derived from the scenario name keeps
   * `isobench validate` deterministic.
   */
  seed?: number;
}

/**
 * Per-trial cost besides warmup and measurement: creating cgroups, starting containers,
 * waiting for readiness, teardown. An estimate from the design's trial path, not measured.
 */
export const TRIAL_OVERHEAD_MS = 2_000;

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(
      'ISOBENCH_BAD_SHARD',
      `--shard: expected I/N with 1 <= I <= N, such as 1/4, got ${quote(text)}`,
    );
  }
  return { index, count };
}

interface Unit {
  cell: CellSpec;
  phase: PhaseSpec;
  key: string;
}

function orders(units: readonly Unit[], repetitions: number, seed: number): Unit[][] {
  const rng = createRng(seed);
  const out: Unit[][] = [];
  let previous = '';
  for (let r = 0; r < repetitions; r++) {
    let order = shuffled(units, rng);
    // With 2+ units a different order exists; 2 units need about 2 tries on average.
    while (units.length > 1 && order.map((u) => u.key).join() === previous) order = shuffled(units, rng);
    previous = order.map((u) => u.key).join();
    out.push(order);
  }
  return out;
}

function containersOf(cell: CellSpec, phase: PhaseSpec): ContainerSpec[] {
  return phase.containers.map((name) => {
    const spec = cell.containers[name];
    // Phases were checked against containers when the scenario was parsed.
    if (!spec) throw new Error(`phase ${phase.name} names container ${name}, which cell ${cell.id} lacks`);
    return spec;
  });
}

export function planRun(scenario: Scenario, opts: PlanOptions = {}): RunPlan {
  const seed = (scenario.seed ?? opts.seed ?? seedFromString(scenario.name)) >>> 0;
  const units: Unit[] = scenario.cells.flatMap((cell) =>
    scenario.phases.map((phase) => ({ cell, phase, key: `${cell.id}-${phase.name}` })),
  );
  const all: PlannedTrial[] = [];
  // orders() draws block after block from one seeded stream: the first `repetitions` blocks are
  // the same whether or not more are planned after them.
  const maxRepetitions = scenario.sequential?.maxRepetitions ?? scenario.repetitions;
  orders(units, maxRepetitions, seed).forEach((order, r) => {
    for (const { cell, phase, key } of order) {
      all.push({
        id: `${key}-r${r + 1}`,
        index: all.length,
        repetition: r + 1,
        cell: { id: cell.id, name: cell.name, settings: cell.settings },
        phase,
        durationMs: cell.durationMs,
        warmupMs: cell.warmupMs,
        sampleIntervalMs: cell.sampleIntervalMs,
        containers: containersOf(cell, phase),
      });
    }
  });
  const shard = opts.shard ?? null;
  const trials = shard ? all.filter((t) => t.index % shard.count === shard.index - 1) : all;
  const cost = (ts: PlannedTrial[]) =>
    ts.reduce((sum, t) => sum + t.warmupMs + t.durationMs + TRIAL_OVERHEAD_MS, 0);
  return {
    scenario: scenario.name,
    seed,
    repetitions: scenario.repetitions,
    maxRepetitions,
    sequential: scenario.sequential,
    cells: scenario.cells.map((c) => ({ id: c.id, name: c.name, settings: c.settings })),
    phases: scenario.phases,
    totalTrials: all.length,
    shard,
    trials,
    estimatedDurationMs: cost(trials.filter((t) => t.repetition <= scenario.repetitions)),
    estimatedMaxDurationMs: scenario.sequential ? cost(trials) : null,
  };
}

/** `about 40 s`, `about 14 min`, `about 2 h 5 min`. */
export function formatApproxDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `about ${s} s`;
  const min = Math.round(ms / 60_000);
  if (min < 90) return `about ${min} min`;
  return `about ${Math.floor(min / 60)} h ${min % 60} min`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * `2 cells x 3 phases x 5 repetitions = 30 trials, about 14 min` (plus the shard's share), or
 * for a sequential run `... x 10 to 30 repetitions (sequential: until ±5%) = 60 to 180 trials,
 * about 6 to 18 min`.
 */
export function formatPlanSummary(plan: RunPlan): string {
  const seq = plan.sequential;
  const perBlock = plan.cells.length * plan.phases.length;
  const reps = seq
    ? `${plan.repetitions} to ${plural(plan.maxRepetitions, 'repetition')} (sequential: until ±${Number((seq.precision * 100).toFixed(3))}%${seq.timeBudgetMs !== null ? ` or ${formatApproxDuration(seq.timeBudgetMs).replace(/^about /, '')}` : ''})`
    : plural(plan.repetitions, 'repetition');
  const shape = `${plural(plan.cells.length, 'cell')} x ${plural(plan.phases.length, 'phase')} x ${reps}`;
  const shard = plan.shard
    ? ` (shard ${plan.shard.index}/${plan.shard.count}: ${plural(plan.trials.length, 'trial')})`
    : '';
  const trials = seq
    ? `${plan.repetitions * perBlock} to ${plural(plan.totalTrials, 'trial')}`
    : plural(plan.totalTrials, 'trial');
  const time =
    plan.estimatedMaxDurationMs !== null
      ? `${formatApproxDuration(plan.estimatedDurationMs)} to ${formatApproxDuration(plan.estimatedMaxDurationMs).replace(/^about /, '')}`
      : formatApproxDuration(plan.estimatedDurationMs);
  return `${shape} = ${trials}${shard}, ${time}`;
}
