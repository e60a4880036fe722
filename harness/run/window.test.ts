import { describe, expect, it } from 'vitest';
import type { CgroupStats } from '../cgroup/driver.js';
import { windowOf } from './window.js';

const stats = (s: Partial<CgroupStats>): CgroupStats => ({
  cpuUsageUs: null,
  cpuThrottledUs: null,
  cpuNrPeriods: null,
  cpuNrThrottled: null,
  memoryCurrentBytes: null,
  memoryPeakBytes: null,
  ooms: null,
  oomKills: null,
  ioReadBytes: null,
  ioWriteBytes: null,
  ioReadOps: null,
  ioWriteOps: null,
  pidsCurrent: null,
  pidsPeak: null,
  psi: null,
  ...s,
});

describe('windowOf', () => {
  it('counters are differences over the window; peaks and OOM kills count since the container started', () => {
    // An OOM kill in warmup: 1 at both edges of the window.
    const w = windowOf(
      stats({ cpuUsageUs: 1_000, oomKills: 1, memoryPeakBytes: 64, pidsPeak: 3 }),
      stats({ cpuUsageUs: 4_500, oomKills: 1, memoryPeakBytes: 64, pidsPeak: 3 }),
    );
    expect(w).toMatchObject({ cpuUsageUs: 3_500, oomKills: 1, memoryPeakBytes: 64, pidsPeak: 3 });
    expect(windowOf(stats({ oomKills: 0 }), stats({ oomKills: 2 })).oomKills).toBe(2);
    expect(windowOf(stats({ oomKills: 0 }), stats({ oomKills: 0 })).oomKills).toBe(0);
    // A counter the host does not have: unknown, not 0.
    expect(windowOf(stats({}), stats({})).oomKills).toBeNull();
    expect(windowOf(null, null).cpuUsageUs).toBeNull();
  });
});
