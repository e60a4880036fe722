/**
 * How a runtime's payload is known to run isobench-init (start.ts, runsExecutable): by the
 * executable's device and inode. The text of /proc/PID/exe is the path in the mount namespace
 * the process was exec'd in; once nothing is left in that namespace its mounts are detached and
 * the link reads relative to the mount. crun in the v2 VM released its container's namespace
 * before isobench's first look in 1 start of 80, and a payload that ran was reported as never
 * started (ISOBENCH_RUNTIME_START).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readlinkSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { initBinary } from '../container/spawn.js';
import { pollUntil } from '../testing/kernel.js';
import { kernelEnv } from '../testing/known-answers.js';
import { runsExecutable } from './start.js';

const { test } = kernelEnv();

test("isobench-init exec'd in a mount namespace that is gone is still recognised by its executable", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'isobench-exe-'));
  // As a runtime does: a mount namespace of its own, the binary reached through a mount made in
  // it; isobench-init then makes its own mount namespace and the first one is left empty.
  const child = spawn(
    'unshare',
    [
      '-m',
      'sh',
      '-c',
      'mount --bind "$1" "$2" && exec "$2/isobench-init" --share-net -- sleep 30',
      'sh',
      dirname(initBinary()),
      dir,
    ],
    { stdio: 'ignore' },
  );
  try {
    const link = () => {
      try {
        return readlinkSync(`/proc/${child.pid}/exe`);
      } catch {
        return '';
      }
    };
    expect(child.pid).toBeGreaterThan(0);
    // Until init has left the first namespace, or the shell gave up (a failed mount): no wait
    // for a link that will never change.
    const seen = await pollUntil(link, (l) => l === '/isobench-init' || child.exitCode !== null);
    expect(child.exitCode, 'unshare/mount/isobench-init exited early').toBeNull();
    // The link's text names no file on the host...
    expect(seen).toBe('/isobench-init');
    expect(seen).not.toBe(initBinary());
    // ...while the executable is isobench-init's, and another process's is not.
    const init = statSync(initBinary());
    expect(runsExecutable(child.pid as number, init)).toBe(true);
    expect(runsExecutable(process.pid, init)).toBe(false);
  } finally {
    child.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    rmdirSync(dir);
  }
});
