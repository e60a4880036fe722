/**
 * A cgroup's IO rate as the kernel counts it (io.stat rbytes/wbytes on v2, blkio
 * io_service_bytes on v1), over a window the experiment measures itself: it opens once the
 * cgroup has moved `skipBytes` (IO is flowing, the first throttle slice is behind), closes once
 * it has moved `windowBytes` more, and the rate is the least-squares slope of the samples taken
 * every 20 ms in between (the kernel dispatches throttled IO in bursts, once per slice, so two
 * end points alone would hinge on where the bursts fall).
 */
import type { Box, Scope } from './scope.js';
import { MiB, slope } from './verdict.js';

export interface RateWindow {
  /** Bytes per second, from the slope. */
  rateBps: number;
  bytes: number;
  seconds: number;
  samples: number;
}

export async function measureRate(
  s: Scope,
  box: Box,
  direction: 'read' | 'write',
  skipBytes: number,
  windowBytes: number,
): Promise<RateWindow> {
  const points: [number, number][] = [];
  const read = async () => {
    const st = await s.driver.readStats(box.handle);
    const bytes = (direction === 'read' ? st.ioReadBytes : st.ioWriteBytes) ?? 0;
    if (!box.alive())
      throw new Error(`the ${direction}r ended before its window closed: ${box.stderr().trim()}`);
    return { t: performance.now() / 1000, bytes };
  };
  const first = await s.until(`${direction}s counted by the kernel`, read, (v) => v.bytes >= skipBytes);
  points.push([first.t, first.bytes]);
  const last = await s.until(`${windowBytes} bytes of ${direction}s`, read, (v) => {
    points.push([v.t, v.bytes]);
    return v.bytes - first.bytes >= windowBytes;
  });
  return {
    rateBps: slope(points),
    bytes: last.bytes - first.bytes,
    seconds: last.t - first.t,
    samples: points.length,
  };
}

/**
 * dd's argv for O_DIRECT IO in 1 MiB blocks: few system calls per byte. With 64 KiB blocks the
 * writer fell 7-11% short of the limit in the cgroup v2 VM under emulation (its CPU, not the
 * throttle, set the pace); the slope over the window smooths the 1 MiB steps of the counters.
 */
export function ddDirect(direction: 'read' | 'write', file: string, bytes: number): string[] {
  const count = Math.ceil(bytes / MiB);
  return direction === 'write'
    ? ['dd', 'if=/dev/zero', `of=${file}`, 'bs=1M', `count=${count}`, 'oflag=direct']
    : ['dd', `if=${file}`, 'of=/dev/null', 'bs=1M', `count=${count}`, 'iflag=direct'];
}
