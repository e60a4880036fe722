import { describe, expect, it } from 'vitest';
import { parseProcStatCpu, readHostCpu } from './host-sample.js';

const stat = (user: number, idle: number, iowait: number, steal: number) =>
  [
    `cpu  ${user} 0 50 ${idle} ${iowait} 0 7 ${steal} 0 0`,
    `cpu0 ${user / 2} 0 25 ${idle / 2} ${iowait / 2} 0 3 ${steal / 2} 0 0`,
    `cpu1 ${user / 2} 0 25 ${idle / 2} ${iowait / 2} 0 4 ${steal / 2} 0 0`,
    'intr 1 2 3',
  ].join('\n');

describe('host busy time from /proc/stat', () => {
  it('is elapsed time x CPUs minus idle, iowait and steal: the tick-sampled user/system fields do not count', () => {
    const a = parseProcStatCpu(stat(1000, 5000, 100, 10), 10_000_000);
    // 3 s later on 2 CPUs: 6 CPU-seconds, of which 4.2 s idle, 0.2 s iowait, 0.1 s steal.
    // user jumped by 500 ticks (5 s, as a tick-sampling artifact can): it is not used.
    const b = parseProcStatCpu(stat(1500, 5420, 120, 20), 13_000_000);
    expect(b && a && b.busyUs - a.busyUs).toBe(6_000_000 - 4_200_000 - 200_000 - 100_000);
    expect(b && a && b.stealUs - a.stealUs).toBe(100_000);
  });

  it('is null without a cpu line', () => {
    expect(parseProcStatCpu('intr 1 2 3', 1)).toBeNull();
  });

  it("this host's counter never runs backwards and stays within elapsed x CPUs", async () => {
    const cpus =
      (await import('node:fs')).readFileSync('/proc/stat', 'utf8').match(/^cpu\d+ /gm)?.length ?? 1;
    const t0 = process.hrtime.bigint();
    const a = await readHostCpu();
    const until = Date.now() + 200;
    while (Date.now() < until) {} // one CPU busy for 200 ms
    const b = await readHostCpu();
    const elapsedUs = Number((process.hrtime.bigint() - t0) / 1000n);
    const busy = (b.busyUs ?? 0) - (a.busyUs ?? 0);
    expect(busy).toBeGreaterThanOrEqual(0);
    expect(busy).toBeLessThanOrEqual(elapsedUs * cpus + 20_000);
  });
});
