/**
 * The doctor's judgements, measured -> verdict, without root: the known answers, the edges of
 * each tolerance, and what a host that does not enforce a limit looks like.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCpuMax } from './cpu-max.js';
import { evaluateCpuWeight } from './cpu-weight.js';
import { evaluateMemoryHigh, HIGH_BYTES } from './memory-high.js';
import { evaluateMemoryMax, hostHasSwap, LIMIT_BYTES } from './memory-max.js';
import { evaluateNamespaces, NAMESPACES, parseNamespaceLines } from './namespaces.js';
import { evaluatePids, PIDS_MAX } from './pids.js';

describe('cpu-weight: 20% / 80% ± 3 points', () => {
  const m = { cpu: 1, lowWeight: '100', highWeight: '400' };
  it('passes at the known answer and at the edges of the tolerance', () => {
    expect(evaluateCpuWeight({ ...m, lowUs: 200_000, highUs: 800_000 }).status).toBe('pass');
    expect(evaluateCpuWeight({ ...m, lowUs: 230_000, highUs: 770_000 }).status).toBe('pass');
    expect(evaluateCpuWeight({ ...m, lowUs: 170_000, highUs: 830_000 }).status).toBe('pass');
  });
  it('fails outside it, and when the weights are ignored (an even split)', () => {
    expect(evaluateCpuWeight({ ...m, lowUs: 235_000, highUs: 765_000 }).status).toBe('fail');
    const even = evaluateCpuWeight({ ...m, lowUs: 500_000, highUs: 500_000 });
    expect(even.status).toBe('fail');
    expect(even.measured).toContain('50.0% / 50.0%');
    expect(even.reason).toContain('got 50.0% of CPU 1');
  });
  it('fails when the weights did not read back as written', () => {
    expect(evaluateCpuWeight({ ...m, highWeight: '399', lowUs: 2e5, highUs: 8e5 }).status).toBe('fail');
  });
  it('fails, not crashes, when nothing ran', () => {
    expect(evaluateCpuWeight({ ...m, lowUs: 0, highUs: 0 }).status).toBe('fail');
  });
});

describe('cpu-max: 0.50 ± 0.03 CPU', () => {
  const m = { applied: '50000 100000', periods: 50, throttledPeriods: 50 };
  it('passes at 0.5 CPU and within 0.03 of it', () => {
    expect(evaluateCpuMax({ ...m, usageUs: 2_500_000 }).status).toBe('pass');
    expect(evaluateCpuMax({ ...m, usageUs: 2_650_000 }).figures.cpus).toBeCloseTo(0.53);
    expect(evaluateCpuMax({ ...m, usageUs: 2_650_000 }).status).toBe('pass');
  });
  it('fails above (quota not enforced) and below (the hogs did not get their quota)', () => {
    expect(evaluateCpuMax({ ...m, usageUs: 2_700_000 }).status).toBe('fail');
    expect(evaluateCpuMax({ ...m, usageUs: 10_000_000, throttledPeriods: 0 }).status).toBe('fail');
    expect(evaluateCpuMax({ ...m, usageUs: 2_300_000 }).status).toBe('fail');
  });
  it('fails when the hogs were rarely throttled, even at the right rate', () => {
    expect(evaluateCpuMax({ ...m, usageUs: 2_500_000, throttledPeriods: 10 }).reason).toMatch(
      /throttled in 10 of 50/,
    );
  });
});

describe('memory-max: OOM kill in the cgroup, neighbour untouched', () => {
  const ok = {
    limitBytes: LIMIT_BYTES,
    applied: String(LIMIT_BYTES),
    hogSignal: 'SIGKILL',
    hogExitCode: null,
    hogOomKills: 1,
    hogPeakBytes: LIMIT_BYTES,
    neighbourAlive: true,
    neighbourOomKills: 0,
    neighbourBytes: 40 << 20,
  };
  it('passes on the known answer', () => {
    expect(evaluateMemoryMax(ok).status).toBe('pass');
  });
  it('fails when the hog survived its limit (it stops at 512 MiB and says so)', () => {
    const v = evaluateMemoryMax({ ...ok, hogSignal: null, hogExitCode: 0, hogOomKills: 0 });
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('hog exited 0');
  });
  it('fails when the hog was killed by something else than the OOM killer', () => {
    expect(evaluateMemoryMax({ ...ok, hogOomKills: 0 }).status).toBe('fail');
  });
  it('fails when the neighbour was hit', () => {
    expect(evaluateMemoryMax({ ...ok, neighbourAlive: false }).status).toBe('fail');
    expect(evaluateMemoryMax({ ...ok, neighbourOomKills: 1 }).status).toBe('fail');
  });
  it('fails when memory.max did not read back as written', () => {
    expect(evaluateMemoryMax({ ...ok, applied: 'max' }).status).toBe('fail');
  });
  it('reads SwapTotal from /proc/meminfo', () => {
    expect(hostHasSwap('MemTotal: 1 kB\nSwapTotal:       0 kB\n')).toBe(false);
    expect(hostHasSwap('SwapTotal:     2048 kB\n')).toBe(true);
  });
});

describe('memory-high: throttled, not killed', () => {
  const ok = {
    applied: String(HIGH_BYTES),
    highEvents: 19,
    oomKills: 0,
    alive: true,
    memoryStallUs: 223_000,
    currentBytes: HIGH_BYTES,
  };
  it('passes on the known answer', () => {
    expect(evaluateMemoryHigh(ok).status).toBe('pass');
  });
  it('fails without a counted breach, after an OOM kill, or when the process is gone', () => {
    expect(evaluateMemoryHigh({ ...ok, highEvents: 0 }).status).toBe('fail');
    expect(evaluateMemoryHigh({ ...ok, oomKills: 1 }).status).toBe('fail');
    expect(evaluateMemoryHigh({ ...ok, alive: false }).status).toBe('fail');
  });
});

describe('pids-max: a fork bomb held at 64', () => {
  const ok = { applied: String(PIDS_MAX), refused: 170, peak: 64, hostSpawnOk: true, leftAfterKill: 0 };
  it('passes on the known answer', () => {
    expect(evaluatePids(ok).status).toBe('pass');
  });
  it('fails above the limit, without refusals, with a stuck host or a bomb that survives its kill', () => {
    expect(evaluatePids({ ...ok, peak: 65 }).status).toBe('fail');
    expect(evaluatePids({ ...ok, refused: 0 }).status).toBe('fail');
    expect(evaluatePids({ ...ok, hostSpawnOk: false }).status).toBe('fail');
    expect(evaluatePids({ ...ok, leftAfterKill: 3 }).status).toBe('fail');
  });
  it('without pids.events, the ceiling reached is the evidence', () => {
    expect(evaluatePids({ ...ok, refused: null }).status).toBe('pass');
    expect(evaluatePids({ ...ok, refused: null, peak: 12 }).status).toBe('fail');
  });
});

describe('namespaces', () => {
  const host = Object.fromEntries(NAMESPACES.map((n) => [n, `${n}:[4026531800]`])) as Record<
    (typeof NAMESPACES)[number],
    string
  >;
  const inside = NAMESPACES.map((n) => `ns ${n} ${n}:[4026532${NAMESPACES.indexOf(n)}00]`);
  const lines = [
    ...inside,
    'self 2',
    'hostname doctor-ns',
    'procs 1 2 7 8 9 ',
    'cgroup 0::/',
    'cgroup 4:memory:/',
    'if lo',
    'lo up',
  ];
  it('parses what the script prints', () => {
    const p = parseNamespaceLines(lines);
    expect(p.selfPid).toBe(2);
    expect(p.procPids).toEqual([1, 2, 7, 8, 9]);
    expect(p.cgroupPaths).toEqual(['/', '/']);
    expect(p.interfaces).toEqual(['lo']);
    expect(p.loUp).toBe(true);
  });
  it('passes with six new namespaces, pid 2, a private /proc, only lo up', () => {
    expect(evaluateNamespaces({ host, lines, exitCode: 0 }).status).toBe('pass');
  });
  it('fails when a namespace is the host’s', () => {
    const shared = lines.map((l) => (l.startsWith('ns net ') ? `ns net ${host.net}` : l));
    const v = evaluateNamespaces({ host, lines: shared, exitCode: 0 });
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('not new: net');
  });
  it('fails on the host’s /proc, another interface, lo down, or a cgroup path outside the root', () => {
    const swap = (from: string, to: string) => lines.map((l) => (l === from ? to : l));
    expect(
      evaluateNamespaces({ host, lines: swap('procs 1 2 7 8 9 ', 'procs 1 2 812 4410'), exitCode: 0 }).status,
    ).toBe('fail');
    expect(evaluateNamespaces({ host, lines: [...lines, 'if eth0'], exitCode: 0 }).status).toBe('fail');
    expect(evaluateNamespaces({ host, lines: lines.filter((l) => l !== 'lo up'), exitCode: 0 }).status).toBe(
      'fail',
    );
    expect(
      evaluateNamespaces({ host, lines: swap('cgroup 0::/', 'cgroup 0::/user.slice'), exitCode: 0 }).status,
    ).toBe('fail');
  });
});
