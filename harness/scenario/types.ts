/**
 * A validated scenario, with every unit resolved (durations in ms, limits parsed into the v2
 * vocabulary) and sweeps expanded into cells. This is what the runner consumes; nothing in it
 * needs re-checking.
 */
import type { Limits } from '../limits.js';
import type { Arrivals, Scalar, StandbyMode, WorkloadName } from './schema.js';

export type { Arrivals, Scalar, WorkloadName };

export type WorkloadSpec = { kind: 'builtin'; name: WorkloadName } | { kind: 'command'; argv: string[] };

export interface LoadSpec {
  rateHz: number;
  connections: number;
  arrivals: Arrivals;
  /** The generator's standby thread (workloads/README.md, "The standby"). */
  standby: StandbyMode;
}

export interface ContainerSpec {
  name: string;
  workload: WorkloadSpec;
  /** Passed to the workload as `--key value`. */
  params: Record<string, Scalar>;
  limits: Limits;
  /** Limits as written (cpuset folded in as cpuset.cpus), recorded next to what is read back. */
  requestedLimits: Record<string, string>;
  /** Path whose block device io limits apply to; null means the container's data dir. */
  ioPath: string | null;
  /** Open-loop load for served workloads; null for workloads that drive themselves. */
  load: LoadSpec | null;
  shareNet: boolean;
  /** A noisy neighbour: its exit or OOM kill during a trial is recorded, and does not fail the trial. */
  aggressor: boolean;
  /** No containment: the host's files writable and every capability. */
  privileged: boolean;
  /** Who starts the container and writes its limits (harness/runtime/). */
  runtime: RuntimeName;
}

/** Container runtimes: isobench's own (isobench-init), LXC, or an OCI runtime (runc, crun). */
export const RUNTIMES = ['native', 'lxc', 'oci'] as const;
export type RuntimeName = (typeof RUNTIMES)[number];

export type PhaseKind = 'solo' | 'colocated';

export interface PhaseSpec {
  name: string;
  kind: PhaseKind;
  containers: string[];
}

/** One combination of settings (a named cell, a sweep point, or both). */
export interface CellSpec {
  /** `c1`, `c2` ... in declaration order: stable for a given file, safe in file names. */
  id: string;
  /** For people: `isolated`, `db.io.max.wbps=5MiB`, `isolated / db.io.max.wbps=5MiB`, or `default`. */
  name: string;
  /** What this cell changes, by dotted path, as written. Empty for the default cell. */
  settings: Record<string, Scalar>;
  durationMs: number;
  warmupMs: number;
  sampleIntervalMs: number;
  containers: Record<string, ContainerSpec>;
}

export interface SequentialSpec {
  /** Target relative half-width of the primary intervals (0.05 for ±5%). */
  precision: number;
  /** Blocks planned at most (default 3 x repetitions). */
  maxRepetitions: number;
  /** No block is started that would end after this much wall time; null: no limit. */
  timeBudgetMs: number | null;
}

/** When a trial is invalid (see the scenario schema's `guards`), in units. */
export interface GuardSpec {
  lateSendFraction: number;
  foreignCpuCores: number;
  stealCores: number;
  loopDelayMs: number;
  quiet: { belowCores: number; forMs: number; maxWaitMs: number };
}

export interface Scenario {
  name: string;
  description: string | null;
  /** The file as given, and its text, for the run record. */
  file: string;
  text: string;
  /** `--set` and friends as given, for the run record. */
  overrides: string[];
  /** Repetition blocks (a sequential run: the blocks before its first look). */
  repetitions: number;
  /** Set when `precision` makes the run sequential; null for a fixed number of repetitions. */
  sequential: SequentialSpec | null;
  outputDir: string;
  guards: GuardSpec;
  /** CPUs reserved for isobench and its load generators as written (a cpuset list); null: the default. */
  harnessCpus: string | null;
  /** Run the quick `isobench doctor` set before the first trial (`doctor: true`, or `run --doctor`). */
  doctor: boolean;
  /** Seed of the trial order shuffle when the file pins one. */
  seed: number | null;
  phases: PhaseSpec[];
  cells: CellSpec[];
  /** Things that are valid but probably not meant (a colocated container without a solo baseline). */
  warnings: string[];
}
