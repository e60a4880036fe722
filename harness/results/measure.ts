/** A cgroup's figures over a window, and how a trial was measured (whether it can be trusted). */
import type { Psi } from '../cgroup/driver.js';

/**
 * cgroup figures over a trial's measured window (counters as differences, peaks as peaks; peaks and
 * oomKills count since the container started, warmup included: run/window.ts).
 */
export interface CgroupWindow {
  cpuUsageUs: number | null;
  cpuThrottledUs: number | null;
  memoryPeakBytes: number | null;
  oomKills: number | null;
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
  ioReadOps: number | null;
  ioWriteOps: number | null;
  pidsPeak: number | null;
  psi: { cpu: Psi | null; memory: Psi | null; io: Psi | null } | null;
}

/** A guard of a trial: the figure, the limit it must stay under (scenario `guards`), and whether it did. */
export interface GuardCheck {
  name: 'lateSends' | 'foreignCpu' | 'steal' | 'loopDelay';
  value: number | null;
  limit: number;
  ok: boolean;
}

/**
 * How a trial was measured, and whether it can be trusted (absent in files written before it was
 * recorded). Every figure of the trial covers `window`.
 */
export interface TrialMeasure {
  /** The measured window, wall clock (ms since the epoch): the load, the workloads' marks and the snapshots. */
  window: { startEpochMs: number; endEpochMs: number };
  /** The load generators' own cgroup over the window (null without a served workload). */
  loadgen: CgroupWindow | null;
  /** CPU of the isobench process itself over the window (µs). */
  harnessCpuUs: number | null;
  /** Host steal time over the window (µs, /proc/stat). */
  stealUs: number | null;
  /** Of the load generators' measured sends: the share more than 1 ms late, and the worst lateness. */
  lateSendFraction: number | null;
  maxLateMs: number | null;
  /** The generators' loop delay over the window, p99 (ms), where they report it (native engine: timer wake-up lateness; Node engine: event-loop delay). */
  loopDelayP99Ms: number | null;
  /** CPUs isobench and its generators ran on, or null when they shared the containers' CPUs. */
  harnessCpus: string | null;
  /**
   * CPU weight of the generators' cgroup, read back (v2 cpu.weight terms; on v1 from cpu.shares),
   * when they share CPUs with the containers; null when it was not set (reserved CPUs, no cpu
   * controller). Absent in files written before it was recorded.
   */
  loadgenCpuWeight?: number | null;
  /** Before the trial: writeback left (bytes), and how long it waited for a quiet host (ms). */
  dirtyBytesAtStart: number | null;
  quietWaitMs: number | null;
  /** Busy cores of the host when the trial started (averaged over the quiet check). */
  busyCoresAtStart: number | null;
  /**
   * Wall time of each step of the trial (ms): fresh, quiet, start, ready, begin, warmUp, measure,
   * drain, teardown. All but warmUp and measure are the trial's overhead.
   */
  stepsMs?: Record<string, number>;
  guards: GuardCheck[];
  /** 1, or 2 for the rerun of an invalid trial (same id and plan index). */
  attempt: number;
}
