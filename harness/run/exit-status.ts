/**
 * The exit status of `isobench run` (README "Exit status"), so that CI notices a run whose
 * trials failed (issue 16: a run whose every web trial the kernel refused exited 0):
 *
 *   0    every recorded trial ok (or invalid and rerun: a guard, not the workload, was at fault)
 *   1    the run finished, and at least one trial failed (its reason is in trials.jsonl)
 *   2    bad input or a host that cannot do what was asked: refused before anything was created
 *   125  isobench itself failed mid-run (the kernel refused a cgroup operation, an internal error)
 *   130  interrupted (Ctrl-C, SIGTERM): the finished trials are kept, results.json says `interrupted`
 *
 * Like compare (0 ok, 1 regression, 2 bad input, 3 inconclusive) and doctor (1 a check failed).
 */
import type { TrialRecord } from '../results/types.js';

export const RUN_EXIT = { ok: 0, failedTrials: 1, badInput: 2, internal: 125, interrupted: 130 } as const;

export function runExitStatus(interrupted: boolean, trials: readonly TrialRecord[]): number {
  if (interrupted) return RUN_EXIT.interrupted;
  return trials.some((t) => t.status === 'failed') ? RUN_EXIT.failedTrials : RUN_EXIT.ok;
}
