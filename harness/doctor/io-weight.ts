/**
 * io.weight 50:200 (blkio.bfq.weight 250:1000 on v1, both 1:4): two readers of the same disk,
 * each re-reading its own 64 MiB file with O_DIRECT, must share what the disk delivers 20% /
 * 80%. The weight only acts under the BFQ scheduler, or on v2 with iocost enabled for the device
 * (io.cost.qos); anywhere else the kernel accepts the value and ignores it, so the check does
 * not apply, and says which scheduler the disk has. The window is the experiment's own: 2 s
 * (quick) or 5 s of both readers reading, the shares from the bytes the kernel counted for each.
 */
import { join } from 'node:path';
import { sleep } from '../timers.js';
import { inScope, writeSyncedFile } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge, MiB, mib, notApplicable, pct, within } from './verdict.js';

export const LOW = 50;
export const HIGH = 200;
/**
 * ±10 points: BFQ and iocost divide the device's time (budgets, vtime), not bytes, and a
 * reader with one request in flight leaves gaps the other may fill; so the byte shares follow
 * the weights less tightly than CPU time follows cpu.weight.
 */
export const SHARE_TOLERANCE = 0.1;
const FILE_BYTES = 64 * MiB;

const EXPECTED = `a disk shared ${pct(LOW / (LOW + HIGH), 0)} / ${pct(HIGH / (LOW + HIGH), 0)} between io.weight ${LOW} and ${HIGH}`;

export interface IoWeightMeasured {
  lowBytes: number;
  highBytes: number;
  /** The weights as read back (v2 scale). */
  lowWeight: number;
  highWeight: number;
  seconds: number;
}

export function evaluateIoWeight(m: IoWeightMeasured): Verdict {
  const share = m.lowBytes / (m.lowBytes + m.highBytes);
  const expected = m.lowWeight / (m.lowWeight + m.highWeight);
  return judge(
    [
      { ok: m.lowWeight * 4 === m.highWeight, what: `weights read back ${m.lowWeight}:${m.highWeight}` },
      {
        ok: within(share, expected, SHARE_TOLERANCE),
        what: `the weight-${LOW} reader got ${pct(share)} of the bytes (expected ${pct(expected)})`,
      },
    ],
    {
      expected: EXPECTED,
      measured: `${pct(share)} / ${pct(1 - share)} (${mib(m.lowBytes)} and ${mib(m.highBytes)} in ${m.seconds.toFixed(1)} s)`,
      tolerance: `±${SHARE_TOLERANCE * 100} points`,
      figures: { lowBytes: m.lowBytes, highBytes: m.highBytes, lowShare: share, seconds: m.seconds },
    },
  );
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  const io = ctx.io;
  if (!io) return notApplicable(EXPECTED, ctx.ioMissing ?? 'no disk to test');
  return inScope(ctx, async (s) => {
    try {
      s.driver.check({ 'io.weight': LOW }, io.device);
    } catch (err) {
      const why = (err as Error).message;
      const sched = /scheduler/.test(why)
        ? ''
        : ` (device ${io.device.name} uses the ${io.scheduler ?? 'unknown'} scheduler)`;
      return notApplicable(EXPECTED, `${why}${sched}`, { scheduler: io.scheduler });
    }
    const dir = s.tempDir(io.dir);
    const reader = (f: string) => [
      'sh',
      '-c',
      `while :; do dd if=${f} of=/dev/null bs=64K iflag=direct 2>/dev/null; done`,
    ];
    const files = ['low', 'high'].map((n) => join(dir, n));
    for (const f of files) writeSyncedFile(f, FILE_BYTES);
    const low = await s.start('iolow', { 'io.weight': LOW }, reader(files[0] as string), {
      device: io.device,
      writable: [dir], // to see the files: a contained container has a /tmp of its own
    });
    const high = await s.start('iohigh', { 'io.weight': HIGH }, reader(files[1] as string), {
      device: io.device,
      writable: [dir], // to see the files: a contained container has a /tmp of its own
    });
    const read = async () => {
      const [a, b] = await Promise.all([s.driver.readStats(low.handle), s.driver.readStats(high.handle)]);
      return { low: a.ioReadBytes ?? 0, high: b.ioReadBytes ?? 0, t: performance.now() };
    };
    const a = await s.until('both readers reading', read, (v) => v.low >= 2 * MiB && v.high >= 2 * MiB);
    await sleep(ctx.quick ? 2_000 : 5_000, ctx.signal);
    const b = await read();
    return evaluateIoWeight({
      lowBytes: b.low - a.low,
      highBytes: b.high - a.high,
      lowWeight: Number(low.applied['io.weight']?.value),
      highWeight: Number(high.applied['io.weight']?.value),
      seconds: (b.t - a.t) / 1000,
    });
  });
}
