/**
 * io.max wbps and rbps of 20 MiB/s on O_DIRECT IO (dd oflag=direct / iflag=direct on the disk
 * behind --io-path): the rate the kernel counts for the cgroup must be the limit within 5%.
 * O_DIRECT, because on cgroup v1 blkio throttles only IO the cgroup's tasks submit themselves
 * (buffered writes are written back by the kernel's flusher threads: see io-writeback); direct
 * IO is throttled on v1 and v2 alike. The file read is written beforehand, outside the cgroup.
 */
import { join } from 'node:path';
import { ddDirect, measureRate, type RateWindow } from './io-rate.js';
import { inScope, writeSyncedFile } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge, MiB, mibPerS, notApplicable, pct } from './verdict.js';

export const RATE_BPS = 20 * MiB;
/**
 * ±5%: the issue's tolerance. blk-throttle hands out the budget per slice (20-100 ms) and
 * carries little over between slices, so over a window of seconds the rate is the limit to
 * within a slice's worth; a slower disk (or other tenants' IO on it) shows as a lower rate.
 */
export const RATE_TOLERANCE = 0.05;
/** The first bytes are skipped: the first slice of a new cgroup may start mid-burst. */
const SKIP_BYTES = 2 * MiB;

const EXPECTED = `O_DIRECT writes and reads held to io.max ${mibPerS(RATE_BPS)} each`;

export interface IoMaxMeasured {
  write: RateWindow;
  read: RateWindow;
  appliedWbps: string | null;
  appliedRbps: string | null;
  device: string;
}

export function evaluateIoMax(m: IoMaxMeasured): Verdict {
  const off = (r: RateWindow) => r.rateBps / RATE_BPS - 1;
  const ok = (r: RateWindow) => Math.abs(off(r)) <= RATE_TOLERANCE;
  const said = (what: string, r: RateWindow) =>
    `${what} ${mibPerS(r.rateBps)} (${off(r) >= 0 ? '+' : ''}${pct(off(r))}) over ${r.seconds.toFixed(1)} s`;
  return judge(
    [
      {
        ok: m.appliedWbps === String(RATE_BPS) && m.appliedRbps === String(RATE_BPS),
        what: `limits read back as wbps ${m.appliedWbps}, rbps ${m.appliedRbps}`,
      },
      { ok: ok(m.write), what: said('writes', m.write) },
      { ok: ok(m.read), what: said('reads', m.read) },
    ],
    {
      expected: `${EXPECTED} on ${m.device}`,
      measured: `writes ${mibPerS(m.write.rateBps)}, reads ${mibPerS(m.read.rateBps)} (kernel counts over ${m.write.seconds.toFixed(1)} s and ${m.read.seconds.toFixed(1)} s)`,
      tolerance: `±${RATE_TOLERANCE * 100}%`,
      figures: {
        writeBps: Math.round(m.write.rateBps),
        readBps: Math.round(m.read.rateBps),
        writeSeconds: m.write.seconds,
        readSeconds: m.read.seconds,
      },
    },
  );
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  const io = ctx.io;
  if (!io) return notApplicable(EXPECTED, ctx.ioMissing ?? 'no disk to test');
  const windowBytes = (ctx.quick ? 1.5 : 4) * RATE_BPS;
  const fileBytes = SKIP_BYTES + windowBytes + 8 * MiB;
  return inScope(ctx, async (s) => {
    const dir = s.tempDir(io.dir);
    const limits = { 'io.max': { wbps: RATE_BPS, rbps: RATE_BPS } };
    const writer = await s.start('iowrite', limits, ddDirect('write', join(dir, 'w'), fileBytes), {
      device: io.device,
      writable: [dir],
    });
    const write = await measureRate(s, writer, 'write', SKIP_BYTES, windowBytes);
    await s.driver.remove(writer.handle);
    writeSyncedFile(join(dir, 'r'), fileBytes);
    // The reader must see the file: its dir may sit under /tmp, which a contained container has
    // a private one of.
    const reader = await s.start('ioread', limits, ddDirect('read', join(dir, 'r'), fileBytes), {
      device: io.device,
      writable: [dir],
    });
    const read = await measureRate(s, reader, 'read', SKIP_BYTES, windowBytes);
    return evaluateIoMax({
      write,
      read,
      appliedWbps: writer.applied['io.max.wbps']?.value ?? null,
      appliedRbps: writer.applied['io.max.rbps']?.value ?? null,
      device: `${io.device.name} (${io.device.majMin})`,
    });
  });
}
