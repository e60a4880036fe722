/**
 * The results contract: what `isobench run` writes and what analysis, compare and reports read.
 * results.json is versioned by `schemaVersion`; its JSON Schema is `results.schema.json` beside
 * this file. trials.jsonl holds one `TrialRecord` per line, appended as each trial ends.
 *
 * Units are in the names (Us = microseconds, Bytes, Hz). A figure that could not be measured is
 * null, never 0.
 */
import type { AppliedLimits, CgroupStats } from '../cgroup/driver.js';
import type { SequentialRecord, VariantInfo } from './design.js';
import type { DoctorRecord } from './doctor.js';
import type { CgroupWindow, TrialMeasure } from './measure.js';

export type { SequentialLook, SequentialRecord, SequentialRule, VariantInfo } from './design.js';
export type { DoctorCheck, DoctorRecord, DoctorStatus } from './doctor.js';
export type { CgroupWindow, GuardCheck, TrialMeasure } from './measure.js';

export { METRIC_SCALE, TAIL_BEYOND, TAIL_MIN_SAMPLES } from './metric-rules.js';

/**
 * The version this isobench writes. 2 added, all optional, `variant` (which interleaved run a
 * folder belongs to, so that compare can pair trials), `sequential` (the looks of a sequential
 * run), the open-loop health metrics and `Estimate.tailSamples`; a version 1 file is read as a
 * fixed-design run without pairing information.
 */
export const RESULTS_SCHEMA_VERSION = 2;
/** The versions this isobench reads. */
export const READABLE_SCHEMA_VERSIONS = [1, 2] as const;
export type SchemaVersion = (typeof READABLE_SCHEMA_VERSIONS)[number];

/** Headline metrics of one container in one trial. Web: from the load generator; db: from the workload. */
export interface TrialMetrics {
  /** Coordinated-omission-corrected latency (from due time), web. */
  latencyP50Us?: number | null;
  latencyP90Us?: number | null;
  latencyP99Us?: number | null;
  latencyP999Us?: number | null;
  latencyMaxUs?: number | null;
  /**
   * Completed requests per second, web. Recorded, but not a figure to judge on: an open-loop
   * generator sends at the planned rate, so this equals the offered rate by construction
   * unless requests fail (which errorFraction and timeoutFraction show directly).
   */
  throughputRps?: number | null;
  /**
   * What an open loop can reveal, web (fractions of the requests sent in the measured window):
   * transport errors and non-2xx/3xx answers; requests that timed out or were abandoned.
   */
  errorFraction?: number | null;
  timeoutFraction?: number | null;
  /** Sends more than 1 ms behind their due time: the load generator itself fell behind. */
  lateSendFraction?: number | null;
  /**
   * Good responses per second, from the window's start to the last response, over the offered
   * rate: below 1 when requests fail or when responses spill past the window's end (the server
   * fell behind and a backlog was still draining). The load generator does not count
   * completions strictly inside the window; this is the figure closest to it that it records.
   */
  goodputFraction?: number | null;
  /** Uncorrected (from send) p99, kept for comparison with closed-loop tools. */
  uncorrectedP99Us?: number | null;
  /** Database commit latency and transaction rate. */
  commitP50Us?: number | null;
  commitP99Us?: number | null;
  commitP999Us?: number | null;
  txnPerSec?: number | null;
}

export type MetricName = keyof TrialMetrics;

/** Which direction is worse, for slowdown and compare verdicts. */
export const HIGHER_IS_WORSE: Record<MetricName, boolean> = {
  latencyP50Us: true,
  latencyP90Us: true,
  latencyP99Us: true,
  latencyP999Us: true,
  latencyMaxUs: true,
  throughputRps: false,
  errorFraction: true,
  timeoutFraction: true,
  lateSendFraction: true,
  goodputFraction: false,
  uncorrectedP99Us: true,
  commitP50Us: true,
  commitP99Us: true,
  commitP999Us: true,
  txnPerSec: false,
};

export interface TrialContainer {
  name: string;
  workload: string;
  limits: { requested: Record<string, string>; applied: AppliedLimits };
  cgroupPath: string;
  /** How the container ended: the workload's own exit after SIGTERM, or a crash / OOM kill. */
  exit: { exitCode: number | null; signal: string | null; oomKilled: boolean } | null;
  /** The workload's ready line and final metrics line, as printed (histograms encoded). */
  ready: Record<string, unknown> | null;
  final: Record<string, unknown> | null;
  /** The load generator's result for served workloads (LoadResult of workloads/load). */
  load: Record<string, unknown> | null;
  metrics: TrialMetrics;
  /** Encoded HDR histograms (hdr-histogram-js compressed base64, µs) to merge across trials. */
  histograms: { latencyUs?: string; commitLatencyUs?: string };
  cgroup: CgroupWindow;
  /**
   * true when the container ran without containment (scenario `privileged: true`: the host's files
   * writable, every capability), false when contained. Absent in files written before isobench
   * had containment, whose containers all ran that way.
   */
  privileged?: boolean;
  /**
   * Without root: the container's user namespace maps as /proc/PID/uid_map shows them
   * (`inside outside count`); null when isobench ran as root. Absent in older files.
   */
  userns?: { uidMap: string[]; gidMap: string[] } | null;
  /**
   * The runtime that started the container and wrote its limits (lxc, oci: its engine and
   * version, the config text it was given, the payload cgroup it made); null for isobench's own
   * (native). Absent in files written before runtimes.
   */
  runtime?: {
    runtime: 'lxc' | 'oci';
    engine: 'lxc' | 'runc' | 'crun';
    version: string;
    config: string;
    cgroupPath: string;
  } | null;
}

interface TrialBase {
  id: string;
  index: number;
  repetition: number;
  cell: { id: string; name: string; settings: Record<string, string | number | boolean> };
  phase: { name: string; kind: 'solo' | 'colocated'; containers: string[] };
  startedAt: string;
  durationMs: number;
  /** CPU used on the host outside this trial's cgroups during the measured window (µs), or null. */
  foreignCpuUs: number | null;
  containers: TrialContainer[];
  measure?: TrialMeasure;
}

/** A trial is data either way: a failed one is shown in reports (DNR with its reason). */
export type TrialRecord =
  | (TrialBase & { status: 'ok' })
  | (TrialBase & { status: 'failed'; reason: string; failedContainer: string | null })
  /** Ran to the end but a guard was exceeded (a loaded host, a late generator): not used in summaries. */
  | (TrialBase & { status: 'invalid'; reason: string });

/** A figure across the trials of one cell and phase: median with its 95% order-statistic interval. */
export interface Estimate {
  median: number | null;
  low: number | null;
  high: number | null;
  /** Trials that gave a value (for a slowdown: repetition blocks with both phases). */
  n: number;
  /**
   * Tail percentiles only: the fewest values beyond the percentile in any trial used; below
   * TAIL_MIN_SAMPLES the figure is flagged (absent in version 1 files).
   */
  tailSamples?: number;
}

export interface PhaseSummary {
  phase: string;
  trials: number;
  failed: number;
  failures: { trial: string; reason: string }[];
  /** Trials that ran but exceeded a guard (not used in the figures; each was rerun once). */
  invalid?: { trial: string; reason: string }[];
  metrics: Partial<Record<MetricName, Estimate>>;
  /** Percentiles from the trials' merged histograms (never averaged percentiles). */
  merged: { latencyUs?: MergedPercentiles; commitLatencyUs?: MergedPercentiles };
  cgroup: Partial<
    Record<
      | keyof Omit<CgroupWindow, 'psi'>
      | 'psiCpuSomeUs'
      | 'psiCpuFullUs'
      | 'psiMemorySomeUs'
      | 'psiMemoryFullUs'
      | 'psiIoSomeUs'
      | 'psiIoFullUs',
      Estimate
    >
  >;
}

export interface MergedPercentiles {
  count: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

export interface ContainerCellResult {
  solo: PhaseSummary | null;
  /** The first co-located phase that runs this container (most scenarios have one). */
  colocated: PhaseSummary | null;
  /**
   * colocated / solo of each ratio-scale metric (for rates, < 1 means slower), computed within
   * each repetition block (the co-located trial over the solo trial of the same repetition):
   * the Hodges-Lehmann estimate of the per-block ratios with its Wilcoxon signed-rank 95%
   * interval. `n` counts blocks.
   */
  slowdown: Partial<Record<MetricName, Estimate>> | null;
  /**
   * Every co-located phase that runs this container, in scenario order, with who else ran in it:
   * the columns of an Isolation-Benchmark-Suite matrix (one victim against each aggressor in turn).
   * The first entry is `colocated` / `slowdown` above.
   */
  neighbours: NeighbourResult[];
}

export interface NeighbourResult {
  phase: string;
  /** The other containers of that phase. */
  with: string[];
  colocated: PhaseSummary;
  slowdown: Partial<Record<MetricName, Estimate>> | null;
}

export interface CellResult {
  id: string;
  name: string;
  settings: Record<string, string | number | boolean>;
  containers: Record<string, ContainerCellResult>;
}

export interface HostFingerprint {
  hostname: string;
  kernel: string;
  distribution: string;
  cpu: { model: string; cores: number; threads: number; mhz: number | null };
  memoryBytes: number;
  swapBytes: number;
  disks: {
    name: string;
    model: string | null;
    sizeBytes: number | null;
    rotational: boolean | null;
    scheduler: string | null;
  }[];
  cgroup: { mode: string; controllers: string[]; psi: boolean };
  thp: { enabled: string | null; defrag: string | null };
  swappiness: number | null;
  virtualization: string | null;
  node: string;
  isobench: string;
}

export interface ResultsFile {
  schemaVersion: SchemaVersion;
  runId: string;
  status: 'complete' | 'interrupted';
  startedAt: string;
  finishedAt: string;
  /** The exact command line that reproduces the run. */
  command: string[];
  host: HostFingerprint;
  scenario: {
    name: string;
    file: string;
    text: string;
    overrides: string[];
    seed: number;
    /**
     * Where the seed came from: `--seed`, `seed:` in the scenario, derived from the scenario text
     * and overrides (a sharded run without either, so that shards agree), or drawn at random.
     * Absent in files written before it was recorded.
     */
    seedFrom?: SeedSource;
    /** Repetition blocks planned (a sequential run: the blocks it ran before it stopped). */
    repetitions: number;
    shard: { index: number; count: number } | null;
    /** Trials of those blocks, all shards together. */
    totalTrials: number;
    phases: { name: string; kind: 'solo' | 'colocated'; containers: string[] }[];
  };
  cells: CellResult[];
  trials: TrialRecord[];
  /** Set when this folder is one variant of an interleaved run (absent in version 1 files). */
  variant?: VariantInfo | null;
  /** Set for a sequential run: the rule, every look, and why it stopped. */
  sequential?: SequentialRecord | null;
  /** `isobench run --doctor` (or `doctor: true`): the quick host verification run before the trials. */
  doctor?: DoctorRecord | null;
}

export type SeedSource = 'option' | 'scenario' | 'derived' | 'random';

/** One row of samples.csv: a container's cgroup counters (or the host's, container = "host") at a time. */
export interface SampleRow {
  trial: string;
  cell: string;
  phase: string;
  container: string;
  /** Milliseconds since the trial's measured window began (negative during warmup). */
  tMs: number;
  stats: Partial<CgroupStats> & Record<string, unknown>;
}
