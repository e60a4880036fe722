/** What every run of `isobench doctor --quick` must show, on any host (kernel and VM tests). */
import { expect } from 'vitest';
import { CHECKS } from '../doctor/catalog.js';
import type { DoctorRecord } from '../results/types.js';

const QUICK = CHECKS.filter((c) => c.quick).map((c) => c.name);

/** Checks whose answer is a yes/no the kernel gives on any host, busy or not. */
export const DETERMINISTIC = ['namespaces', 'memory-max', 'pids-max'];

/** The record's shape, and the deterministic checks passed (memory.max read back, the OOM kill counted). */
export function expectQuickRecord(r: DoctorRecord, cgroupMode: string): void {
  expect(r.set).toBe('quick');
  expect(r.host.cgroupMode).toBe(cgroupMode);
  expect(r.checks.map((c) => c.name)).toEqual(QUICK);
  for (const c of r.checks) {
    expect(['pass', 'fail', 'not-applicable']).toContain(c.status);
    expect(c.expected.length, c.name).toBeGreaterThan(0);
    expect(c.reason.length, c.name).toBeGreaterThan(0);
    expect([1, 2]).toContain(c.attempts);
    expect(c.firstAttempt === null).toBe(c.attempts === 1);
  }
  expect(r.summary).toEqual({
    pass: r.checks.filter((c) => c.status === 'pass').length,
    fail: r.checks.filter((c) => c.status === 'fail').length,
    notApplicable: r.checks.filter((c) => c.status === 'not-applicable').length,
  });
  const byName = Object.fromEntries(r.checks.map((c) => [c.name, c]));
  for (const name of DETERMINISTIC)
    expect(byName[name]?.status, `${name}: ${byName[name]?.reason}`).toBe('pass');
  // memory.max read back exactly as written, and the OOM kill counted by the kernel.
  expect(byName['memory-max']?.reason).toContain('memory.max read back as 67108864');
  expect(byName['memory-max']?.figures.hogOomKills).toBeGreaterThanOrEqual(1);
  expect(byName['pids-max']?.figures.peak).toBeLessThanOrEqual(64);
  expect(byName['memory-high']?.status).toBe(cgroupMode === 'v2' ? 'pass' : 'not-applicable');
}
