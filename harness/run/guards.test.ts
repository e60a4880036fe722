import { describe, expect, it } from 'vitest';
import type { GuardSpec } from '../scenario/types.js';
import { applyReservation, formatCpuList, parseCpuList, reserveCpus } from './cpus.js';
import { checkGuards, invalidReason, waitForQuiet } from './guards.js';

const GUARDS: GuardSpec = {
  lateSendFraction: 0.05,
  foreignCpuCores: 0.5,
  stealCores: 0.1,
  loopDelayMs: 50,
  quiet: { belowCores: 0.5, forMs: 250, maxWaitMs: 10_000 },
};

describe('guards', () => {
  it('a trial within every guard is valid; unmeasured figures do not invalidate', () => {
    const checks = checkGuards(GUARDS, {
      windowMs: 2000,
      lateSendFraction: 0.01,
      loopDelayP99Ms: null,
      foreignCpuUs: 400_000, // 0.2 cores over 2 s
      stealUs: 0,
    });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['lateSends', true],
      ['loopDelay', true],
      ['foreignCpu', true],
      ['steal', true],
    ]);
    expect(checks.find((c) => c.name === 'foreignCpu')?.value).toBeCloseTo(0.2, 10);
    expect(invalidReason(checks)).toBeNull();
  });

  it('each guard beyond its limit is named in the reason with its value', () => {
    const checks = checkGuards(GUARDS, {
      windowMs: 1000,
      lateSendFraction: 0.072,
      loopDelayP99Ms: 80,
      foreignCpuUs: 1_500_000,
      stealUs: 200_000,
    });
    expect(checks.filter((c) => !c.ok)).toHaveLength(4);
    expect(invalidReason(checks)).toBe(
      "7.2% of the load's sends were over 1 ms late (guard 5.0%); the load generator's event loop was delayed 80.0 ms at p99 (guard 50 ms); processes outside the trial used 1.50 cores on average (guard 0.5); the hypervisor stole 0.20 cores on average (guard 0.1)",
    );
  });
});

describe('CPU reservation for the measuring tools', () => {
  it('parses and formats cpuset lists', () => {
    expect(parseCpuList('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(parseCpuList(' 3 ')).toEqual([3]);
    expect(parseCpuList('2-1')).toBeNull();
    expect(parseCpuList('a')).toBeNull();
    expect(formatCpuList([0, 1, 2, 5, 7, 8])).toBe('0-2,5,7-8');
  });

  it('reserves the last CPU by default from 4 CPUs on, none below, and says so', () => {
    expect(reserveCpus(null, [0, 1])).toMatchObject({ harness: null, containers: [0, 1] });
    expect(reserveCpus(null, [0, 1]).note).toMatch(/share the host's 2 CPUs/);
    expect(reserveCpus(null, [0, 1, 2, 3])).toMatchObject({ harness: [3], containers: [0, 1, 2] });
    expect(reserveCpus('1', [0, 1])).toMatchObject({ harness: [1], containers: [0] });
  });

  it('refuses a reservation that is not online or leaves nothing, with the value quoted', () => {
    expect(() => reserveCpus('7', [0, 1])).toThrow(
      /harness.cpus "7": CPU 7 is not online here \(online: 0-1\)/,
    );
    expect(() => reserveCpus('0-1', [0, 1])).toThrow(/leaves no CPU for the containers/);
    expect(() => reserveCpus('x', [0, 1])).toThrow(/expected a cpuset list/);
  });

  it('gives containers without a cpuset the rest, and refuses one that takes a reserved CPU', () => {
    const spec = (name: string, cpus?: string) => ({
      name,
      limits: cpus ? { 'cpuset.cpus': cpus } : {},
      requestedLimits: cpus ? { 'cpuset.cpus': cpus } : {},
    });
    const scenario = (specs: ReturnType<typeof spec>[]) =>
      ({ cells: [{ containers: Object.fromEntries(specs.map((s) => [s.name, s])) }] }) as never;
    const free = spec('web');
    const pinned = spec('db', '0');
    applyReservation(scenario([free, pinned]), reserveCpus(null, [0, 1, 2, 3]));
    expect(free.limits).toEqual({ 'cpuset.cpus': '0-2' });
    expect(pinned.limits).toEqual({ 'cpuset.cpus': '0' });
    expect(() => applyReservation(scenario([spec('db', '2-3')]), reserveCpus(null, [0, 1, 2, 3]))).toThrow(
      /containers.db: cpuset "2-3" takes CPU 3, reserved for isobench/,
    );
  });
});

describe('waitForQuiet', () => {
  it('waits while the busy figure it is given grows faster than the bound, then returns the last stretch', async () => {
    // A cumulative "CPU used outside the trial": 2 cores' worth per reading for the first three
    // readings (readings come once per stretch), then nothing: quiet from the fourth stretch on.
    let reads = 0;
    const busy = async () => {
      reads++;
      return Math.min(reads, 4) * 2 * 1000 * 100;
    };
    const q = await waitForQuiet(
      { belowCores: 0.5, forMs: 100, maxWaitMs: 10_000 },
      new AbortController().signal,
      busy,
    );
    expect(reads).toBe(5);
    expect(q.busyCores).toBe(0);
  });

  it('stops at its bound and reports the busy cores of the last stretch', async () => {
    let reads = 0;
    const busy = async () => ++reads * 1000 * 1000;
    const q = await waitForQuiet(
      { belowCores: 0.5, forMs: 100, maxWaitMs: 250 },
      new AbortController().signal,
      busy,
    );
    // It gave up at its bound although the host never got quiet.
    expect(q.waitedMs).toBeGreaterThanOrEqual(250);
    expect(q.busyCores).toBeGreaterThan(0.5);
  });

  it('with a steal bound, also waits while the hypervisor steals more than it, however idle the host', async () => {
    // Nothing busy outside the trial; steal at 0.5 cores for the first two stretches, then none.
    let stealReads = 0;
    const steal = async () => {
      stealReads++;
      return Math.min(stealReads, 3) * 0.5 * 1000 * 100;
    };
    const q = await waitForQuiet(
      { belowCores: 0.5, forMs: 100, maxWaitMs: 10_000 },
      new AbortController().signal,
      async () => 0,
      { readUs: steal, belowCores: 0.1 },
    );
    // Readings: one before the first stretch, one after each; the third stretch is the quiet one.
    expect(stealReads).toBe(4);
    expect(q.busyCores).toBe(0);
  });
});
