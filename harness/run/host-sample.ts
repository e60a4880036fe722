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
 * The host's CPU time from /proc/stat's `cpu` line (user nice system idle iowait irq softirq steal
 * guest guest_nice, in USER_HZ): busy = user + nice + system + irq + softirq (guest time is
 * already inside user); steal = time the hypervisor ran something else while this VM wanted to run.
 */
export function parseProcStatCpu(text: string): { busyUs: number; stealUs: number } | null {
  const cpu = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!cpu) return null;
  const f = cpu.trim().split(/\s+/).slice(1).map(Number);
  const at = (i: number) => f[i] ?? 0;
  const busy = at(0) + at(1) + at(2) + at(5) + at(6);
  return {
    busyUs: Math.round((busy * 1_000_000) / USER_HZ),
    stealUs: Math.round((at(7) * 1_000_000) / USER_HZ),
  };
}

export function parseProcStatBusyUs(text: string): number | null {
  return parseProcStatCpu(text)?.busyUs ?? null;
}

/** Busy and steal time of the whole host so far (µs), or nulls where /proc/stat cannot be read. */
export async function readHostCpu(): Promise<{ busyUs: number | null; stealUs: number | null }> {
  const stat = await optional('/proc/stat');
  const cpu = stat ? parseProcStatCpu(stat) : null;
  return { busyUs: cpu?.busyUs ?? null, stealUs: cpu?.stealUs ?? null };
}

export async function sampleHost(): Promise<HostSample> {
  const [stat, pc, pm, pi, vm] = await Promise.all([
    optional('/proc/stat'),
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
    busyUs: stat ? parseProcStatBusyUs(stat) : null,
    psiCpuSomeUs: cpu?.someTotalUs ?? null,
    psiCpuFullUs: cpu?.fullTotalUs ?? null,
    psiMemorySomeUs: mem?.someTotalUs ?? null,
    psiMemoryFullUs: mem?.fullTotalUs ?? null,
    psiIoSomeUs: io?.someTotalUs ?? null,
    psiIoFullUs: io?.fullTotalUs ?? null,
    vmstat,
  };
}
