/** Helpers of the kernel tests that read the kernel directly (shared by the isolation test files). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { procStat } from '../host/procfs.js';
import { sleep } from '../timers.js';

export const MiB = 1024 * 1024;

/** Reads `read()` every 50 ms until `done` holds; bounded by a count (20 min), never asserted on time. */
export async function pollUntil<T>(read: () => T, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 24_000; i++) {
    const v = read();
    if (done(v)) return v;
    await sleep(50);
  }
  throw new Error('pollUntil: the condition never held');
}

/** A cgroup's CPU usage read straight from the kernel: cgroup2 cpu.stat, else v1 cpuacct.usage (ns). */
export function cpuUsageUsOf(dirs: string[]): number {
  for (const d of dirs) {
    const m = existsSync(join(d, 'cpu.stat'))
      ? /^usage_usec (\d+)$/m.exec(readFileSync(join(d, 'cpu.stat'), 'utf8'))
      : null;
    if (m) return Number(m[1]);
  }
  for (const d of dirs) {
    if (existsSync(join(d, 'cpuacct.usage')))
      return Math.round(Number(readFileSync(join(d, 'cpuacct.usage'), 'utf8')) / 1000);
  }
  throw new Error(`no CPU usage file in ${dirs.join(', ')}`);
}

/** The pids in a cgroup dir's cgroup.procs; none when it is gone. */
export function pidsInSync(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Alive and not a zombie (a zombie still answers kill(0); its /proc state is Z). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const st = procStat(pid);
  return st !== null && st.state !== 'Z';
}

/** Every directory of a cgroup recorded, and none of them left. */
export function expectGone(dirs: Record<string, string> | undefined) {
  expect(Object.keys(dirs ?? {}).length, 'cgroup dirs recorded').toBeGreaterThan(0);
  for (const d of Object.values(dirs ?? {})) expect(existsSync(d), `${d} still exists`).toBe(false);
}
