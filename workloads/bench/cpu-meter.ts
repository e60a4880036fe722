/**
 * CPU accounting for the load benchmark: this process's CPU (the generator, all its threads, and
 * its native sending loop once reaped),
 * a child's CPU (the server) and the rest of the host ("foreign": other engineers' work on a
 * shared machine), so a step taken while the host was busy can be told from a slow generator.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc/stat and /proc/PID/stat count in clock ticks of 1/100 s on Linux (x86, arm64). */
const TICKS_PER_S = 100;

interface Reading {
  atMs: number;
  ownUs: number;
  childTicks: number;
  hostBusyTicks: number;
  stealTicks: number;
  /** utime + stime of every other process, by pid. */
  others: Map<number, number>;
}

export interface CpuUse {
  /** Cores (CPU seconds per second) used by this process: the generator. */
  ownCores: number;
  /** Microseconds of generator CPU per request sent. */
  ownUsPerRequest: number;
  childCores: number;
  /** Busy cores on the host outside this process and the child. */
  foreignCores: number;
  /**
   * Time the host (hypervisor) ran something else while this virtual machine's CPUs had work,
   * summed over CPUs, per second of the step (/proc/stat steal; 0 on bare metal). A sleeping
   * process on a CPU whose steal runs is woken late, whatever it is.
   */
  stealMsPerS: number;
}

/**
 * The host's busy time so far in ticks, as elapsed x CPUs minus idle, iowait and steal: /proc/stat's
 * user and system fields are tick samples, and a load at a rate that divides the tick rate is
 * charged whole ticks or none (see harness/run/host-sample.ts); idle is measured exactly.
 */
function hostBusyTicks(): number {
  const text = readFileSync('/proc/stat', 'utf8');
  const monoS = Number(process.hrtime.bigint()) / 1e9;
  const lines = text.split('\n');
  const cpus = Math.max(1, lines.filter((l) => /^cpu\d+ /.test(l)).length);
  const f = (lines[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  return monoS * TICKS_PER_S * cpus - (f[3] ?? 0) - (f[4] ?? 0) - (f[7] ?? 0);
}

/** The host's steal time so far, in ticks (/proc/stat's eighth field). */
function stealTicks(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  return Number(first.trim().split(/\s+/)[8] ?? 0);
}

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that ends the command name; utime and stime are fields 14 and 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0;
  }
}

function otherProcesses(exclude: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (Number.isInteger(pid) && !exclude.includes(pid)) out.set(pid, processTicks(pid));
  }
  return out;
}

/**
 * Foreign CPU two ways: the host's busy time minus ours (exact, but it also holds the kernel's
 * own work that no process is charged for: idle transitions, interrupts), and the per-process
 * totals (exact scheduler runtime, but they lose processes that exited meanwhile). The larger of
 * the two is kept.
 */
function foreignS(a: Reading, b: Reading, ownS: number, childS: number): number {
  let perProcess = 0;
  for (const [pid, ticks] of b.others) perProcess += ticks - (a.others.get(pid) ?? 0);
  const fromHost = (b.hostBusyTicks - a.hostBusyTicks) / TICKS_PER_S - ownS - childS;
  return Math.max(0, perProcess / TICKS_PER_S, fromHost);
}

/**
 * CPU of this process's children that have exited and been waited for (cutime + cstime of
 * /proc/self/stat), in µs: the native generator (isobench-loadgen) is such a child, reaped when
 * its run ends, so a step's "own" CPU includes it. The server child is reaped only at the end.
 */
function reapedChildrenUs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(rest[13]) + Number(rest[14])) * 1e6) / TICKS_PER_S;
}

function read(childPid: number): Reading {
  const cpu = process.cpuUsage();
  return {
    atMs: performance.now(),
    ownUs: cpu.user + cpu.system + reapedChildrenUs(),
    childTicks: processTicks(childPid),
    hostBusyTicks: hostBusyTicks(),
    stealTicks: stealTicks(),
    others: otherProcesses([process.pid, childPid]),
  };
}

/**
 * Starts a meter; `stop(requests, helperUs)` returns the CPU used since. `helperUs`: the CPU of a
 * child of ours that ran beside the generator and was reaped in the meantime (the timer floor):
 * counted neither as the generator's nor as foreign.
 */
export function startCpuMeter(childPid: number): { stop(requests: number, helperUs?: number): CpuUse } {
  const a = read(childPid);
  return {
    stop(requests, helperUs = 0) {
      const b = read(childPid);
      const seconds = Math.max(1e-9, (b.atMs - a.atMs) / 1000);
      const helperS = helperUs / 1e6;
      const ownS = Math.max(0, (b.ownUs - a.ownUs) / 1e6 - helperS);
      const childS = (b.childTicks - a.childTicks) / TICKS_PER_S;
      return {
        ownCores: ownS / seconds,
        ownUsPerRequest: requests > 0 ? (ownS * 1e6) / requests : 0,
        childCores: childS / seconds,
        foreignCores: Math.max(0, foreignS(a, b, ownS + helperS, childS)) / seconds,
        stealMsPerS: ((b.stealTicks - a.stealTicks) * (1000 / TICKS_PER_S)) / seconds,
      };
    },
  };
}

/**
 * Waits (at most `limitMs`) until the host has used less than `maxBusyCores` over one `sampleMs`
 * sample, with this process and the child idle, and its hypervisor has taken less than
 * `maxStealCores` (steal); returns the busy cores of the last sample.
 */
export async function waitForQuiet(
  maxBusyCores: number,
  limitMs: number,
  maxStealCores = Number.POSITIVE_INFINITY,
  sampleMs = 500,
): Promise<number> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const a = hostBusyTicks();
    const s = stealTicks();
    await new Promise((resolve) => setTimeout(resolve, sampleMs));
    const busy = (hostBusyTicks() - a) / TICKS_PER_S / (sampleMs / 1000);
    const steal = (stealTicks() - s) / TICKS_PER_S / (sampleMs / 1000);
    if ((busy < maxBusyCores && steal < maxStealCores) || performance.now() >= deadline) return busy;
  }
}
