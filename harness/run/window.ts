/** A trial's cgroup figures over its measured window, from snapshots at the window's edges. */
import type { CgroupStats, Psi } from '../cgroup/driver.js';
import type { CgroupWindow } from '../results/types.js';

const diff = (a: number | null | undefined, b: number | null | undefined) =>
  a == null || b == null ? null : Math.max(0, b - a);

function psiDiff(a: Psi | null | undefined, b: Psi | null | undefined): Psi | null {
  if (!a || !b) return null;
  return {
    someTotalUs: Math.max(0, b.someTotalUs - a.someTotalUs),
    fullTotalUs: diff(a.fullTotalUs, b.fullTotalUs),
  };
}

/**
 * Counters are differences over the window. Peaks (memory, pids) are the cgroup's peaks since the
 * container started, warmup included: the kernel keeps no per-window peak (v2 memory.peak can only
 * be reset per open file from 6.12 on), and samples.csv has the time series for a closer look.
 * OOM kills count since the container started too: a process killed before the window is missing
 * through all of it (a memory bomb under memory.max 64MiB dies in the first 300 ms of warmup), so
 * a difference over the window would say 0 of a trial whose container was OOM-killed.
 */
export function windowOf(start: CgroupStats | null, end: CgroupStats | null): CgroupWindow {
  return {
    cpuUsageUs: diff(start?.cpuUsageUs, end?.cpuUsageUs),
    cpuThrottledUs: diff(start?.cpuThrottledUs, end?.cpuThrottledUs),
    memoryPeakBytes: end?.memoryPeakBytes ?? null,
    oomKills: end?.oomKills ?? null,
    ioReadBytes: diff(start?.ioReadBytes, end?.ioReadBytes),
    ioWriteBytes: diff(start?.ioWriteBytes, end?.ioWriteBytes),
    ioReadOps: diff(start?.ioReadOps, end?.ioReadOps),
    ioWriteOps: diff(start?.ioWriteOps, end?.ioWriteOps),
    pidsPeak: end?.pidsPeak ?? null,
    psi:
      start?.psi && end?.psi
        ? {
            cpu: psiDiff(start.psi.cpu, end.psi.cpu),
            memory: psiDiff(start.psi.memory, end.psi.memory),
            io: psiDiff(start.psi.io, end.psi.io),
          }
        : null,
  };
}
