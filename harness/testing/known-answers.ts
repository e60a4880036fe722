/**
 * What the known-answer kernel tests share, whoever starts the containers (isobench itself:
 * harness/isolation*.kernel.test.ts; lxc, runc, crun: harness/runtime/runtimes.kernel.test.ts):
 * the preamble (root, cgroup mode, an io dir, the `it` that skips with a reason) and the cpu.weight
 * split measured over a window delimited by the kernel's own counts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type it } from 'vitest';
import { detectCgroups } from '../cgroup/detect.js';
import { scanCgroups } from '../cleanup.js';
import { cpuUsageUsOf, pidsInSync, pollUntil, readdirSafe } from './kernel.js';
import { execJson, ioTestDir, itWhen, missingRoot, newCgroupsNamed } from './support.js';

export interface KernelEnv {
  /** Why these tests cannot run here (not root), or null. */
  missing: string | null;
  /** The host's cgroup mode, `unknown` when not root. */
  mode: string;
  io: { dir: string | null; missing: string | null };
  /** `it`, or a skip with the reason (a failure under CI=true). */
  test: typeof it;
  /** `test` that also needs a block device behind the io dir. */
  ioTest: typeof it;
}

/** The preamble of a kernel test file; `alsoMissing` adds a reason of its own (a program not installed). */
export function kernelEnv(alsoMissing: string | null = null): KernelEnv {
  const root = missingRoot();
  const missing = root ?? alsoMissing;
  const io = ioTestDir();
  return {
    missing,
    mode: root ? 'unknown' : detectCgroups().mode,
    io,
    test: itWhen(missing),
    ioTest: itWhen(missing ?? io.missing),
  };
}

export interface WeightSplit {
  /** CPU time of the cpu.weight=100 container in the window, µs. */
  lowUs: number;
  highUs: number;
  ratio: number;
}

/**
 * Two containers, cpu.weight 100 and 400, pinned to CPU 0, each spinning: asserts that CPU time
 * splits near 1:4 and returns the figures. `args` are extra `isobench exec` options (`--runtime
 * lxc`), `env` extra variables (ISOBENCH_OCI_RUNTIME); `suffix` tells this call's containers apart
 * (`-w100<suffix>`).
 *
 * Both hogs block on a FIFO until both containers exist, then are released together: start-up
 * takes seconds under emulation and differs between the two, and a runtime's own start-up CPU
 * (runc's is 0.5 s under TCG) is counted in its container's cgroup. Without the barrier that CPU
 * opened the window before the second hog spun, and the window caught one hog alone on the CPU
 * (runc in the v2 VM: 1:2.3 in 2 of 2 runs). The FIFOs' dir is the containers' data dir
 * (--io-path): a contained container sees a private /tmp of its own.
 */
export async function cpuWeightSplit(
  args: string[],
  suffix = '',
  env: Record<string, string> = {},
): Promise<WeightSplit> {
  const dir = mkdtempSync(join(tmpdir(), 'isobench-barrier-'));
  const fifos = ['w100', 'w400'].map((n) => join(dir, n));
  for (const f of fifos) execFileSync('mkfifo', [f]);
  const hog = (fifo: string) => [
    'sh',
    '-c',
    `read go < ${fifo}; exec timeout 20 sh -c 'while :; do :; done'`,
  ];
  // Only this call's two cgroups: another run on the host may have containers named w100 too.
  const before = new Set(scanCgroups().keys());
  const start = (w: number, fifo: string) =>
    execJson(
      [
        ...args,
        '--name',
        `w${w}${suffix}`,
        '--io-path',
        dir,
        '--limit',
        `cpu.weight=${w}`,
        '--limit',
        'cpuset.cpus=0',
      ],
      hog(fifo),
      { env },
    );
  try {
    const runs = Promise.all([start(100, fifos[0] as string), start(400, fifos[1] as string)]);
    // Opening a FIFO for writing blocks until its reader has opened it: when both opens return,
    // both hogs are waiting (each runtime has started its payload); one write each releases them.
    const fds = await Promise.all(fifos.map((f) => open(f, 'w')));
    const found = newCgroupsNamed(before, new RegExp(`-w(100|400)${suffix}$`));
    const dirs = Object.fromEntries(
      [...found.entries()].map(([id, d]) => [id.endsWith(`-w100${suffix}`) ? 'low' : 'high', d]),
    );
    expect(Object.keys(dirs).sort()).toEqual(['high', 'low']);
    await Promise.all(fds.map((fd) => fd.write('go\n')));
    await Promise.all(fds.map((fd) => fd.close()));
    // The window opens once each hog has used 50 ms of CPU since the release (the weaker one
    // needs longer to exec its loop: seconds under emulation) and closes when the two together
    // have used 2 s of CPU, well before either's timeout.
    const usage = () => ({ low: cpuUsageUsOf(dirs.low ?? []), high: cpuUsageUsOf(dirs.high ?? []) });
    const released = usage();
    const u1 = await pollUntil(
      usage,
      (u) => u.low - released.low >= 50_000 && u.high - released.high >= 50_000,
    );
    const u2 = await pollUntil(usage, (u) => u.low - u1.low + (u.high - u1.high) >= 2_000_000);
    // The window is closed: end both hogs now rather than at their 20 s timeout (18 s of a CPU
    // spun for nothing per call, 20 s and more under emulation). SIGALRM is timeout(1)'s own
    // expiry, so its exit stays 124.
    const alarmed = [dirs.low, dirs.high].map((d) => alarmTimeouts(d ?? []));
    expect(alarmed).toEqual([1, 1]);
    const [low, high] = await runs;
    // timeout(1) ended both hogs: they were still spinning when the window closed.
    expect(low.proc.exitCode, low.proc.stderr).toBe(124);
    expect(high.proc.exitCode, high.proc.stderr).toBe(124);
    const lowUs = u2.low - u1.low;
    const highUs = u2.high - u1.high;
    expect(lowUs).toBeGreaterThan(0);
    const ratio = highUs / lowUs;
    process.stdout.write(
      `cpu.weight split${suffix}: w400 ${highUs} µs / w100 ${lowUs} µs = ${ratio.toFixed(2)}\n`,
    );
    expect(ratio, `w400 ${highUs} µs / w100 ${lowUs} µs`).toBeGreaterThanOrEqual(3);
    expect(ratio, `w400 ${highUs} µs / w100 ${lowUs} µs`).toBeLessThanOrEqual(5.5);
    return { lowUs, highUs, ratio };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Sends SIGALRM to each timeout(1) process in a container's cgroups (`dirs`, one per hierarchy,
 * and the cgroups below them: a runtime's payload is a child), as its own timer would; returns how
 * many it signalled.
 */
function alarmTimeouts(dirs: string[]): number {
  const pids = new Set<number>();
  const walk = (d: string) => {
    for (const pid of pidsInSync(d)) pids.add(pid);
    for (const e of readdirSafe(d))
      if (statSync(join(d, e), { throwIfNoEntry: false })?.isDirectory()) walk(join(d, e));
  };
  for (const d of dirs) walk(d);
  let sent = 0;
  for (const pid of pids) {
    const comm = (() => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        return null;
      }
    })();
    if (comm !== 'timeout') continue;
    process.kill(pid, 'SIGALRM');
    sent++;
  }
  return sent;
}
