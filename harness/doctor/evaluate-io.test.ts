/** The doctor's judgements of io, the load generator and the null experiment, without root. */
import { describe, expect, it } from 'vitest';
import { evaluateIoMax, RATE_BPS } from './io-max.js';
import { evaluateIoWeight } from './io-weight.js';
import { evaluateWriteback, MEMORY_BYTES } from './io-writeback.js';
import { evaluateLoadSchedule, LADDER_HZ } from './load-schedule.js';
import { evaluateLoadStall } from './load-stall.js';
import { evaluateNull } from './null-run.js';
import { MiB, slope } from './verdict.js';

const window = (factor: number) => ({
  rateBps: RATE_BPS * factor,
  bytes: 30 * MiB,
  seconds: 1.5,
  samples: 75,
});

describe('io-max: the limit ± 5%', () => {
  const ok = { appliedWbps: String(RATE_BPS), appliedRbps: String(RATE_BPS), device: 'vda (254:0)' };
  it('passes within 5% on both sides, each direction judged', () => {
    expect(evaluateIoMax({ ...ok, write: window(1), read: window(1) }).status).toBe('pass');
    expect(evaluateIoMax({ ...ok, write: window(1.049), read: window(0.951) }).status).toBe('pass');
    const slow = evaluateIoMax({ ...ok, write: window(0.93), read: window(1) });
    expect(slow.status).toBe('fail');
    expect(slow.reason).toContain('writes 18.6 MiB/s (-7.0%)');
    expect(evaluateIoMax({ ...ok, write: window(1), read: window(3) }).status).toBe('fail');
  });
  it('fails when a limit did not read back', () => {
    expect(evaluateIoMax({ ...ok, appliedRbps: 'max', write: window(1), read: window(1) }).status).toBe(
      'fail',
    );
  });
});

describe('io-writeback: held on v2, the known v1 limitation reported as such', () => {
  const written = 64 * MiB;
  const held = { writtenBytes: written, writerSeconds: 3.8, countedBytes: 61 * MiB, countedBps: 18.6 * MiB };
  const unheld = { writtenBytes: written, writerSeconds: 0.08, countedBytes: 0, countedBps: Number.NaN };
  it('v2: passes when the writer is held near the limit and its writeback is charged to it', () => {
    expect(evaluateWriteback({ mode: 'v2', ...held }).status).toBe('pass');
  });
  it('v2: fails when the writer runs at memory speed or the writeback is charged elsewhere', () => {
    const v = evaluateWriteback({ mode: 'v2', ...unheld });
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/writer at 800\.0 MiB\/s/);
    expect(evaluateWriteback({ mode: 'v2', ...held, countedBytes: 0 }).status).toBe('fail');
    expect(evaluateWriteback({ mode: 'v2', ...held, countedBps: 22 * MiB }).status).toBe('fail');
  });
  it('the writer may run 1.5 times the limit (its first dirty pages are free), not more', () => {
    const at = (s: number) => evaluateWriteback({ mode: 'v2', ...held, writerSeconds: s }).status;
    expect(at(written / (1.5 * RATE_BPS))).toBe('pass');
    expect(at(written / (1.6 * RATE_BPS))).toBe('fail');
  });
  it('charged means all but what the cgroup may keep dirty', () => {
    expect(evaluateWriteback({ mode: 'v2', ...held, countedBytes: written - MEMORY_BYTES }).status).toBe(
      'pass',
    );
  });
  it('v1 and hybrid: not applicable, "not enforced here", with the figures', () => {
    for (const mode of ['v1', 'hybrid']) {
      const v = evaluateWriteback({ mode, ...unheld });
      expect(v.status).toBe('not-applicable');
      expect(v.reason).toMatch(/^not enforced here: cgroup (v1|hybrid) blkio/);
      expect(v.measured).toContain('cgroup charged 0.0 MiB');
    }
  });
  it('v1 where the writer was held after all: judged, and passes', () => {
    expect(evaluateWriteback({ mode: 'hybrid', ...held }).status).toBe('pass');
  });
});

describe('io-weight: 1:4 ± 10 points', () => {
  const m = { lowWeight: 50, highWeight: 200, seconds: 5 };
  it('passes near 20% / 80% and fails on an even split', () => {
    expect(evaluateIoWeight({ ...m, lowBytes: 22 * MiB, highBytes: 78 * MiB }).status).toBe('pass');
    expect(evaluateIoWeight({ ...m, lowBytes: 50 * MiB, highBytes: 50 * MiB }).status).toBe('fail');
  });
  it('judges against the weights as read back', () => {
    expect(evaluateIoWeight({ ...m, highWeight: 100, lowBytes: 20, highBytes: 80 }).status).toBe('fail');
  });
});

describe('load-schedule: the highest rate with < 1% late sends', () => {
  const step = (rateHz: number, lateFraction: number, failed = 0) => ({
    rateHz,
    requests: rateHz * 2,
    late: Math.round(rateHz * 2 * lateFraction),
    maxLateMs: 2,
    failed,
  });
  it('reports the highest rate on schedule, listing every rate tried', () => {
    const v = evaluateLoadSchedule([step(250, 0), step(500, 0.005), step(1000, 0.03), step(2000, 0.002)]);
    expect(v.status).toBe('pass');
    expect(v.figures.highestRateHz).toBe(2000);
    expect(v.measured).toMatch(/^2000\/s; 250\/s 0\.0% late .*1000\/s 3\.0% late/);
    expect(v.reason).toContain('on schedule at 2000/s, but not at 1000/s');
  });
  it('a rate the server did not answer is not on schedule', () => {
    expect(evaluateLoadSchedule([step(250, 0.02), step(500, 0, 12)]).status).toBe('fail');
  });
  it('fails when no rate kept the schedule (1% exactly is late)', () => {
    const v = evaluateLoadSchedule(LADDER_HZ.map((r) => step(r, 0.01)));
    expect(v.status).toBe('fail');
    expect(v.measured).toMatch(/^none;/);
  });
});

describe('load-stall: the stall in corrected p99, not in uncorrected', () => {
  const ok = { stallMs: 1001, requests: 2500, correctedP99Us: 955_000, uncorrectedP99Us: 6_000 };
  it('passes on the known answer', () => {
    expect(evaluateLoadStall(ok).status).toBe('pass');
  });
  it('fails when the corrected p99 misses the stall (coordinated omission) or overshoots it', () => {
    expect(evaluateLoadStall({ ...ok, correctedP99Us: 8_000 }).status).toBe('fail');
    expect(evaluateLoadStall({ ...ok, correctedP99Us: 1_300_000 }).status).toBe('fail');
  });
  it('fails when the uncorrected p99 sees the stall too', () => {
    expect(evaluateLoadStall({ ...ok, uncorrectedP99Us: 900_000 }).status).toBe('fail');
  });
});

describe('null experiment: the interval contains 1', () => {
  it('passes when it does, fails when it does not or when there is no interval', () => {
    expect(evaluateNull({ median: 1.01, low: 0.87, high: 1.19, n: 6 }, 12, 12).status).toBe('pass');
    const off = evaluateNull({ median: 1.2, low: 1.05, high: 1.4, n: 6 }, 12, 12);
    expect(off.status).toBe('fail');
    expect(off.reason).toContain('does not contain 1');
    expect(evaluateNull({ median: 1, low: null, high: null, n: 4 }, 10, 12).reason).toContain(
      '4 complete blocks',
    );
    expect(evaluateNull(null, 0, 12).status).toBe('fail');
  });
});

describe('slope', () => {
  it('is the least-squares rate of counter samples', () => {
    expect(
      slope([
        [0, 0],
        [1, 20],
        [2, 40],
      ]),
    ).toBeCloseTo(20);
    // Bursty counts (10 units every 0.5 s: a throttle slice at a time), sampled every 20 ms
    // over 5 s, still give the average rate, 20 per second, to within 5%.
    const bursts = Array.from(
      { length: 250 },
      (_, i) => [i * 0.02, 10 * Math.floor((i * 0.02) / 0.5)] as [number, number],
    );
    expect(Math.abs(slope(bursts) / 20 - 1)).toBeLessThan(0.05);
    expect(slope([[1, 5]])).toBeNaN();
  });
});
