/**
 * Before a trial: push dirty pages to disk and wait until writeback has drained, so that one
 * trial's (or the data copy's) writeback does not land in the next trial's window.
 */
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { sleep } from '../timers.js';

/** Dirty + Writeback from /proc/meminfo, in bytes (null where it cannot be read). */
export async function dirtyBytes(): Promise<number | null> {
  try {
    const text = await readFile('/proc/meminfo', 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(text)?.[1] ?? Number.NaN);
    const total = (kb('Dirty') + kb('Writeback')) * 1024;
    return Number.isFinite(total) ? total : null;
  } catch {
    return null;
  }
}

export interface Settled {
  /** Dirty + writeback bytes when the wait ended. */
  dirtyBytes: number | null;
  /** Whether it fell to the threshold before the bound. */
  drained: boolean;
}

/**
 * `sync`, then waits (polling every 50 ms, at most `maxWaitMs`) until dirty + writeback pages
 * are at most `thresholdBytes`. Other processes on the host may keep dirtying pages: the wait is
 * bounded and its outcome returned, not asserted.
 */
export async function settleWriteback(
  opts: { thresholdBytes?: number; maxWaitMs?: number; signal?: AbortSignal } = {},
): Promise<Settled> {
  const threshold = opts.thresholdBytes ?? 4 * 1024 * 1024;
  const maxWaitMs = opts.maxWaitMs ?? 30_000;
  await execa('sync', [], {
    reject: false,
    stdio: 'ignore',
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  const startMs = performance.now();
  for (;;) {
    const dirty = await dirtyBytes();
    if (dirty === null || dirty <= threshold) return { dirtyBytes: dirty, drained: dirty !== null };
    if (performance.now() - startMs >= maxWaitMs) return { dirtyBytes: dirty, drained: false };
    await sleep(50, opts.signal);
  }
}

/**
 * Drops `file`'s clean pages from the page cache (POSIX_FADV_DONTNEED through GNU dd's
 * `iflag=nocache count=0`), so the next reader faults them in again, charged to its own cgroup.
 */
export async function dropFileCache(file: string): Promise<void> {
  await execa('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'], {
    reject: false,
    stdio: 'ignore',
  });
}
