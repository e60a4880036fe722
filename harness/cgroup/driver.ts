/**
 * The one interface the rest of isobench uses for cgroups. v1/hybrid/v2 differences live only in
 * the implementations (v1.ts, v2.ts); limits go in and come back in cgroup v2 vocabulary.
 */
import type { Limits } from '../limits.js';
import type { CgroupMode } from './detect.js';
import type { BlockDevice } from './device.js';
import type { KillMethod } from './teardown.js';

/** What the kernel reads back for one requested limit, keyed by the same v2 name. */
export interface AppliedLimit {
  /** The value in v2 form (`max`, bytes, `50000 100000`, a weight ...), derived from what was read back. */
  value: string;
  /** The file written and read back, relative to the cgroup directory (`cpu.shares` on v1). */
  file: string;
  /** The raw text read back from that file (the device's line for per-device files). */
  raw: string;
  /** The conversion used on v1, by name; absent on v2 where the value is written as is. */
  formula?: string;
}

export type AppliedLimits = Record<string, AppliedLimit>;

export interface Psi {
  someTotalUs: number;
  /** null where the kernel has no `full` line (cpu before 5.13). */
  fullTotalUs: number | null;
}

export interface CgroupStats {
  cpuUsageUs: number | null;
  cpuThrottledUs: number | null;
  /** CFS bandwidth periods that elapsed with the cgroup runnable (cpu.stat nr_periods), and how many of them ran out of quota. */
  cpuNrPeriods: number | null;
  cpuNrThrottled: number | null;
  memoryCurrentBytes: number | null;
  memoryPeakBytes: number | null;
  /** Times the cgroup hit its limit and the OOM killer was invoked (v2 memory.events `oom`; null on v1). */
  ooms: number | null;
  oomKills: number | null;
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
  ioReadOps: number | null;
  ioWriteOps: number | null;
  pidsCurrent: number | null;
  pidsPeak: number | null;
  psi: { cpu: Psi | null; memory: Psi | null; io: Psi | null } | null;
}

/**
 * Event counters the kernel keeps for limits, for checks that a limit acted (isobench doctor).
 * Kept apart from CgroupStats, which is sampled into every trial's time series.
 */
export interface CgroupEvents {
  /** Times usage went over memory.high and the cgroup was throttled (v2 memory.events `high`; null on v1, which has no memory.high). */
  memoryHigh: number | null;
  /** Times usage hit memory.max (v2 memory.events `max`; v1 memory.failcnt). */
  memoryMax: number | null;
  /** Processes the OOM killer killed (v2 memory.events `oom_kill`; v1 memory.oom_control `oom_kill`). */
  oomKills: number | null;
  /** Forks refused because pids.max was reached (pids.events `max`, v1 and v2). */
  pidsMax: number | null;
}

/** One container's cgroup: one directory per hierarchy it was created in. */
export interface CgroupHandle {
  /** The container name (`web`). */
  name: string;
  /** `isobench-<run id>-<name>`. */
  id: string;
  /** Hierarchy key (`unified`, `cpu`, `memory` ...) -> absolute directory. */
  dirs: Record<string, string>;
  /** The path inside the hierarchy, as /proc/PID/cgroup shows it (`/…/isobench-x-web`). */
  path: string;
}

export interface CgroupDriver {
  readonly mode: CgroupMode;
  /** Checks that every limit can be applied here; throws a UsageError or HostError before anything exists. */
  check(limits: Limits, device: BlockDevice | null): void;
  create(name: string): Promise<CgroupHandle>;
  apply(h: CgroupHandle, limits: Limits, device: BlockDevice | null): Promise<AppliedLimits>;
  /**
   * Reads back what the cgroup's files hold for `limits` (v2 vocabulary), without writing: what
   * apply() returns, and what isobench records for a container whose runtime (lxc, runc) wrote
   * the limits itself.
   */
  readLimits(h: CgroupHandle, limits: Limits, device: BlockDevice | null): Promise<AppliedLimits>;
  /**
   * The files `apply` would write for `limits`, relative to the cgroup directory, in order: what a
   * runtime is told to write (`lxc.cgroup.<file>` / `lxc.cgroup2.<file>`, OCI `unified`).
   */
  plannedWrites(limits: Limits, device: BlockDevice | null): { file: string; value: string }[];
  /**
   * Where a runtime's own process (lxc-execute, runc) starts so that the runtime may create its
   * cgroups below `h`. `container`: `h`, on v1 with a directory in every other hierarchy too
   * (devices, name=systemd: the runtime makes its cgroups there as well), to be removed in place of
   * `h`. `leaf`: the container itself on v1 (no internal-process rule); on v2 a leaf `h/runtime`,
   * with `h`'s controllers enabled for its children.
   */
  runtimeLeaf(h: CgroupHandle): Promise<{ container: CgroupHandle; leaf: CgroupHandle }>;
  /** The cgroup.procs files a process must be written to (every hierarchy the cgroup is in). */
  procsFiles(h: CgroupHandle): string[];
  attach(h: CgroupHandle, pid: number): Promise<void>;
  readStats(h: CgroupHandle): Promise<CgroupStats>;
  readEvents(h: CgroupHandle): Promise<CgroupEvents>;
  /** Pids in the cgroup (from the first hierarchy). */
  pids(h: CgroupHandle): Promise<number[]>;
  /** SIGKILLs every member and waits until the cgroup is empty (bounded). */
  killAll(h: CgroupHandle): Promise<KillMethod>;
  /** Kills what is left and removes every directory of the cgroup; ENOENT counts as done. */
  remove(h: CgroupHandle): Promise<void>;
  /** Undoes what opening the driver did to the parent (v2: controllers enabled, supervisor leaf). */
  close(): Promise<void>;
}

export const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

/**
 * Cgroups of isobench's own measuring tools (the load generator): names a scenario's container
 * cannot take, since they start with `-` (`isobench-<run>--loadgen`).
 */
export const HARNESS_CGROUPS = ['-loadgen'] as const;

/** Whether `name` may name a cgroup: a container name, or one of the harness's own. */
export function isCgroupName(name: string): boolean {
  return NAME_RE.test(name) || (HARNESS_CGROUPS as readonly string[]).includes(name);
}

/**
 * The cgroup `rel` below `h` in every hierarchy (a runtime's payload cgroup inside the container's
 * cgroup isobench created); it belongs to `h`, whose removal takes it too.
 */
export function childHandle(h: CgroupHandle, rel: string): CgroupHandle {
  const dirs: Record<string, string> = {};
  for (const [k, d] of Object.entries(h.dirs)) dirs[k] = `${d}/${rel}`;
  return { name: h.name, id: h.id, dirs, path: `${h.path}/${rel}` };
}
