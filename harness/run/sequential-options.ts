/**
 * The runner's side of sequential runs: the command-line shorthands handed to the scenario
 * parser, the refusal of a sharded sequential run, and the rule the loop follows.
 */
import { UsageError } from '../errors.js';
import type { SequentialRule } from '../results/types.js';
import type { ScenarioOverrides } from '../scenario/overrides.js';
import type { RunPlan } from '../scenario/plan.js';
import { sequentialRule } from './sequential.js';

/** `--precision`, `--max-repetitions`, `--time-budget` as scenario overrides (errors are reported against the flag). */
export function sequentialFlags(opts: {
  precision?: string;
  maxRepetitions?: string;
  timeBudget?: string;
}): Pick<ScenarioOverrides, 'precision' | 'maxRepetitions' | 'timeBudget'> {
  return {
    ...(opts.precision !== undefined ? { precision: opts.precision } : {}),
    ...(opts.maxRepetitions !== undefined ? { maxRepetitions: opts.maxRepetitions } : {}),
    ...(opts.timeBudget !== undefined ? { timeBudget: opts.timeBudget } : {}),
  };
}

/** A shard sees part of each block: it cannot decide when the whole run has seen enough. */
export function refuseShardedSequential(units: readonly { plan: RunPlan }[]): void {
  const plan = units[0]?.plan;
  if (plan?.sequential && plan.shard) {
    throw new UsageError(
      'ISOBENCH_SEQUENTIAL_SHARD',
      `--shard ${plan.shard.index}/${plan.shard.count}: a sequential run (precision ${plan.sequential.precision}) cannot be sharded; a shard sees part of each block and cannot decide when the whole run stops (run it whole, or give a fixed number of repetitions)`,
    );
  }
}

/** The rule of a sequential run, or null for a fixed number of repetitions. */
export function sequentialRuleOf(
  units: readonly { plan: RunPlan; variant: string | null }[],
): SequentialRule | null {
  const plan = units[0]?.plan;
  if (!plan?.sequential) return null;
  return sequentialRule(plan.sequential, plan.repetitions, units.length > 1 && units[0]?.variant !== null);
}
