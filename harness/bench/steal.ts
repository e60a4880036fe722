/**
 * The hypervisor's steal during a benchmark: recorded with its result (`stealCores`), noted beside
 * the table when it is beyond STEAL_LIMIT_CORES, and such a result is not judged by --baseline.
 */
import type { BenchResult } from './types.js';

/**
 * Steal above which a benchmark's figures say more about the host than about isobench: the
 * trial guard's bound (harness/run/guards.ts). On this kind of machine steal came in bursts of
 * minutes at 0.3-0.8 of a core, when a load generator's sends were 10-27% late.
 */
export const STEAL_LIMIT_CORES = 0.1;

/** A result with the steal of its run, and a note when it is beyond STEAL_LIMIT_CORES. */
export function withSteal(r: Extract<BenchResult, { status: 'ok' }>, stealCores: number | null): BenchResult {
  const notes =
    stealCores !== null && stealCores > STEAL_LIMIT_CORES
      ? [
          ...r.notes,
          `the hypervisor stole ${stealCores.toFixed(2)} cores on average while this ran (over ${STEAL_LIMIT_CORES}): its figures say as much about the host as about isobench, and --baseline does not judge them`,
        ]
      : r.notes;
  return { ...r, notes, stealCores };
}
