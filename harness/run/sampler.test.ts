import { describe, expect, it } from 'vitest';
import type { CgroupStats } from '../cgroup/driver.js';
import { SAMPLE_CGROUP_COLUMNS, sampleRecord } from '../results/columns.js';
import { flattenStats } from './sampler.js';

const stats: CgroupStats = {
  cpuUsageUs: 1,
  cpuThrottledUs: 2,
  cpuNrPeriods: 10,
  cpuNrThrottled: 3,
  memoryCurrentBytes: 4,
  memoryPeakBytes: 5,
  ooms: 6,
  oomKills: 7,
  ioReadBytes: 8,
  ioWriteBytes: 9,
  ioReadOps: 10,
  ioWriteOps: 11,
  pidsCurrent: 12,
  pidsPeak: 13,
  psi: {
    cpu: { someTotalUs: 14, fullTotalUs: 15 },
    memory: { someTotalUs: 16, fullTotalUs: 17 },
    io: { someTotalUs: 18, fullTotalUs: 19 },
  },
};

describe('sampler rows', () => {
  it('fill every cgroup column of samples.csv', () => {
    const flat = flattenStats(stats);
    for (const c of SAMPLE_CGROUP_COLUMNS) expect(flat[c], c).toBeTypeOf('number');
    const record = sampleRecord({
      trial: 't',
      cell: 'c1',
      phase: 'p',
      container: 'web',
      tMs: 0,
      stats: flat,
    });
    // keys, then the 19 cgroup figures in column order, all written.
    expect(record.slice(5, 5 + SAMPLE_CGROUP_COLUMNS.length)).toEqual(
      Array.from({ length: 19 }, (_, i) => i + 1),
    );
  });
});
