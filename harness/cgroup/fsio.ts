/** Small, explicit file operations on cgroup files, with errors that name the file and the value. */
import { rmdirSync, writeFileSync } from 'node:fs';
import { CgroupError, errnoOf } from '../errors.js';
import { readKernelFile } from '../host/kernfs.js';

/** Synchronous underneath (host/kernfs.ts: cgroup files are generated in memory); async for callers. */
export async function readText(file: string): Promise<string> {
  return readKernelFile(file).trim();
}

export async function readOptional(file: string): Promise<string | null> {
  try {
    return await readText(file);
  } catch (err) {
    const code = errnoOf(err);
    // ENOENT: file absent on this kernel; ENOTSUP/EOPNOTSUPP: PSI compiled in but disabled (psi=0).
    if (code === 'ENOENT' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENODEV') return null;
    throw err;
  }
}

/**
 * Writes one value; the kernel reports a refusal as the write's errno, which is quoted.
 * Synchronous underneath, like the reads: fs.promises.writeFile is three thread-pool round trips
 * (open, write, close), each longer here than the kernel's own work on an in-memory cgroup file,
 * and a container's start writes a dozen of them (issue 15: container start). What can block is
 * short and happens before a container runs: a limit written to a new, empty cgroup.
 */
export async function writeValue(file: string, value: string): Promise<void> {
  try {
    writeFileSync(file, value);
  } catch (err) {
    throw new CgroupError(
      'ISOBENCH_CGROUP_WRITE',
      `the kernel refused ${JSON.stringify(value)} for ${file}: ${errnoOf(err) ?? String(err)}`,
      { cause: err },
    );
  }
}

import { sleep } from '../timers.js';

export { sleep };

/**
 * rmdir with retries on EBUSY (a cgroup stays busy for a moment after its last process exits):
 * the delay doubles from 1 ms, as runc's RemovePath does. ENOENT counts as done.
 * `beforeRetry` runs before each retry (teardown re-kills there).
 */
export async function rmdirRetry(
  dir: string,
  beforeRetry?: () => Promise<void>,
  attempts = 14,
): Promise<void> {
  let delay = 1;
  for (let i = 0; ; i++) {
    try {
      // Synchronous: rmdir of a cgroup is in-memory work, cheaper than a thread-pool round trip.
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || i >= attempts) {
        throw new CgroupError('ISOBENCH_CGROUP_REMOVE', `cannot remove ${dir}: ${code ?? String(err)}`, {
          cause: err,
        });
      }
      await beforeRetry?.();
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
  }
}

/** Parses flat keyed files (`key value` per line): cpu.stat, memory.events, memory.stat, pids.events. */
export function parseKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}
