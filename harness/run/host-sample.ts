/**
 * Host-wide figures sampled next to the containers: /proc/pressure (system PSI), selected
 * /proc/vmstat counters (reclaim and faults: how memory interference shows), and /proc/stat busy
 * time, from which the CPU used outside the measured containers ("foreign" CPU) is derived.
 */
import { parsePressure } from '../cgroup/stats.js';
import { readKernelFile } from '../host/kernfs.js';
import { USER_HZ } from '../host/procfs.js';
import { VMSTAT_KEYS } from '../results/columns.js';

export interface HostSample {
  busyUs: number | null;
  psiCpuSomeUs: number | null;
  psiCpuFullUs: number | null;
  psiMemorySomeUs: number | null;
  psiMemoryFullUs: number | null;
  psiIoSomeUs: number | null;
  psiIoFullUs: number | null;
  vmstat: Partial<Record<(typeof VMSTAT_KEYS)[number], number>>;
}

async function optional(file: string): Promise<string | null> {
  try {
    return readKernelFile(file);
  } catch {
    return null;
  }
}

/**
 * The host's busy time from /proc/stat, in µs, as a counter whose differences are the CPU time
 * spent outside idle: (CLOCK_MONOTONIC now x CPUs online) - idle - iowait - steal. Not the sum of
 * the user, system, irq and softirq fields: on a kernel with tick-based CPU accounting
 * (CONFIG_TICK_CPU_ACCOUNTING, the default) those are samples taken at each tick (250 Hz here),
 * and a load that wakes at a rate that divides the tick rate (1,000 requests/s: every fourth wake
 * falls at the same phase of the tick) is charged whole ticks or none: trials of the default
 * scenario here were charged 0.7-0.8 cores that no process used ("foreign" CPU, invalidating
 * them), or nothing, depending on the phase their schedule started at. With NO_HZ (every
 * distribution kernel) idle and iowait are measured exactly (idle entry to exit, the same
 * monotonic clock), so elapsed minus idle is exact to the idle transitions. `monoUs` is when the
 * text was read. Steal: time the hypervisor ran something else while this VM wanted to run.
 */
export function parseProcStatCpu(
  text: string,
  monoUs: number = Number(process.hrtime.bigint() / 1000n),
): { busyUs: number; stealUs: number } | null {
  const lines = text.split('\n');
  const cpu = lines.find((l) => l.startsWith('cpu '));
  if (!cpu) return null;
  const cpus = lines.filter((l) => /^cpu\d+ /.test(l)).length;
  const f = cpu.trim().split(/\s+/).slice(1).map(Number);
  const at = (i: number) => f[i] ?? 0;
  const toUs = (ticks: number) => (ticks * 1_000_000) / USER_HZ;
  return {
    busyUs: Math.round(monoUs * Math.max(1, cpus) - toUs(at(3) + at(4) + at(7))),
    stealUs: Math.round(toUs(at(7))),
  };
}

export function parseProcStatBusyUs(text: string, monoUs?: number): number | null {
  return parseProcStatCpu(text, monoUs)?.busyUs ?? null;
}

/** Busy and steal time of the whole host so far (µs), or nulls where /proc/stat cannot be read. */
export async function readHostCpu(): Promise<{ busyUs: number | null; stealUs: number | null }> {
  const stat = await optional('/proc/stat');
  const cpu = stat ? parseProcStatCpu(stat, Number(process.hrtime.bigint() / 1000n)) : null;
  return { busyUs: cpu?.busyUs ?? null, stealUs: cpu?.stealUs ?? null };
}

export async function sampleHost(): Promise<HostSample> {
  const stat = await optional('/proc/stat');
  const statMonoUs = Number(process.hrtime.bigint() / 1000n);
  const [pc, pm, pi, vm] = await Promise.all([
    optional('/proc/pressure/cpu'),
    optional('/proc/pressure/memory'),
    optional('/proc/pressure/io'),
    optional('/proc/vmstat'),
  ]);
  const vmstat: HostSample['vmstat'] = {};
  for (const line of vm?.split('\n') ?? []) {
    const [k, v] = line.split(' ');
    if (k && (VMSTAT_KEYS as readonly string[]).includes(k))
      vmstat[k as (typeof VMSTAT_KEYS)[number]] = Number(v);
  }
  const cpu = parsePressure(pc);
  const mem = parsePressure(pm);
  const io = parsePressure(pi);
  return {
    busyUs: stat ? parseProcStatBusyUs(stat, statMonoUs) : null,
    psiCpuSomeUs: cpu?.someTotalUs ?? null,
    psiCpuFullUs: cpu?.fullTotalUs ?? null,
    psiMemorySomeUs: mem?.someTotalUs ?? null,
    psiMemoryFullUs: mem?.fullTotalUs ?? null,
    psiIoSomeUs: io?.someTotalUs ?? null,
    psiIoFullUs: io?.fullTotalUs ?? null,
    vmstat,
  };
}
