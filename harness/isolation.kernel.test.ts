/**
 * The isolation layer on the real kernel, limits: applied and read back, and enforced (OOM, CPU
 * split, CPU quota, IO throttle, pids), asserted on what the kernel counted. The same file runs on
 * this host (hybrid v1) and inside the cgroup v2 VM (ci/kernel-vm), so assertions are in v2 terms.
 * Namespaces, exit statuses, bad input and teardown: isolation-lifecycle.kernel.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { detectCgroups } from './cgroup/detect.js';
import { scanCgroups } from './cleanup.js';
import { cpuUsageUsOf, expectGone, MiB, pollUntil } from './testing/kernel.js';
import {
  execJson,
  ioTestDir,
  itWhen,
  leftoverCgroups,
  missingRoot,
  newCgroupsNamed,
} from './testing/support.js';

const missing = missingRoot();
const test = itWhen(missing);
const mode = missing ? 'unknown' : detectCgroups().mode;
const io = ioTestDir();
const ioTest = itWhen(missing ?? io.missing);

describe(`isolation layer: limits (${mode})`, () => {
  test('applies every limit and reports the values the kernel reads back', async () => {
    const args = [
      '--name',
      'limits',
      '--limit',
      'cpu.weight=400',
      '--limit',
      'cpu.max=50000 100000',
      '--limit',
      'memory.max=256MiB',
      '--limit',
      'memory.low=32MiB',
      '--limit',
      'memory.swap.max=0',
      '--limit',
      'pids.max=50',
      '--limit',
      'cpuset.cpus=0',
      '--limit',
      'cpuset.mems=0',
    ];
    if (io.dir)
      args.push(
        '--io-path',
        io.dir,
        '--limit',
        'io.max.rbps=20MiB',
        '--limit',
        'io.max.wbps=10MiB',
        '--limit',
        'io.max.riops=1000',
        '--limit',
        'io.max.wiops=500',
      );
    if (mode === 'v2') args.push('--limit', 'memory.high=200MiB');
    const { proc, json } = await execJson(args, ['true']);
    expect(proc.exitCode, proc.stderr).toBe(0);
    const applied = json?.limits.applied ?? {};
    const value = (k: string) => applied[k]?.value;
    expect(value('cpu.weight')).toBe('400');
    expect(value('cpu.max')).toBe('50000 100000');
    expect(value('memory.max')).toBe(String(256 * MiB));
    expect(value('memory.low')).toBe(String(32 * MiB));
    expect(value('memory.swap.max')).toBe('0');
    expect(value('pids.max')).toBe('50');
    expect(value('cpuset.cpus')).toBe('0');
    expect(value('cpuset.mems')).toBe('0');
    if (io.dir) {
      expect(value('io.max.rbps')).toBe(String(20 * MiB));
      expect(value('io.max.wbps')).toBe(String(10 * MiB));
      expect(value('io.max.riops')).toBe('1000');
      expect(value('io.max.wiops')).toBe('500');
    }
    if (mode === 'v2') {
      expect(value('memory.high')).toBe(String(200 * MiB));
      expect(applied['cpu.weight']?.file).toBe('cpu.weight');
    } else {
      // v1: the file and raw value it came from, and the formula's name.
      expect(applied['cpu.weight']).toMatchObject({ file: 'cpu.shares', raw: '4096' });
      expect(applied['cpu.weight']?.formula).toMatch(/^systemd/);
      expect(applied['memory.swap.max']).toMatchObject({
        file: 'memory.memsw.limit_in_bytes',
        raw: String(256 * MiB),
      });
    }
    expectGone(json?.cgroup.dirs);
  });

  test("memory.max below a hog's need: OOM-killed, exit 137, oomKills >= 1", async () => {
    const hog = 'const a=[];for(;;){a.push(Buffer.alloc(8<<20,1))}';
    const { proc, json } = await execJson(
      ['--name', 'oom', '--limit', 'memory.max=96MiB', '--limit', 'memory.swap.max=0'],
      ['node', '-e', hog],
    );
    expect(proc.exitCode).toBe(137);
    expect(json?.signal).toBe('SIGKILL');
    expect(json?.oomKilled).toBe(true);
    expect(json?.stats.oomKills).toBeGreaterThanOrEqual(1);
    expect(json?.stats.memoryPeakBytes).toBeLessThanOrEqual(96 * MiB);
    if (mode === 'v2') expect(json?.stats.ooms).toBeGreaterThanOrEqual(1);
    expectGone(json?.cgroup.dirs);
  });

  test('cpu.weight 100 vs 400 on one CPU splits CPU time near 1:4', async () => {
    // Both hogs block on a FIFO until both containers exist (start-up takes seconds under
    // emulation and differs between the two), then are released together. The FIFOs' dir is the
    // containers' data dir (--io-path): a contained container sees a private /tmp of its own.
    const dir = mkdtempSync(join(tmpdir(), 'isobench-barrier-'));
    const fifos = ['w100', 'w400'].map((n) => join(dir, n));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    const hog = (fifo: string) => [
      'sh',
      '-c',
      `read go < ${fifo}; exec timeout 20 sh -c 'while :; do :; done'`,
    ];
    // Only this test's two cgroups: another run on the host may have containers named w100 too.
    const before = new Set(scanCgroups().keys());
    try {
      const runs = Promise.all([
        execJson(
          ['--name', 'w100', '--io-path', dir, '--limit', 'cpu.weight=100', '--limit', 'cpuset.cpus=0'],
          hog(fifos[0] as string),
        ),
        execJson(
          ['--name', 'w400', '--io-path', dir, '--limit', 'cpu.weight=400', '--limit', 'cpuset.cpus=0'],
          hog(fifos[1] as string),
        ),
      ]);
      // Opening a FIFO for writing blocks until its reader has opened it: when both opens
      // return, both hogs are waiting; one write each releases them together.
      const fds = await Promise.all(fifos.map((f) => open(f, 'w')));
      const dirs = Object.fromEntries(
        [...newCgroupsNamed(before, /-w(100|400)$/).entries()].map(([id, d]) => [id.slice(-4), d]),
      );
      expect(Object.keys(dirs).sort()).toEqual(['w100', 'w400']);
      await Promise.all(fds.map((fd) => fd.write('go\n')));
      await Promise.all(fds.map((fd) => fd.close()));
      // The split is read from the kernel over a window in which both hogs surely spin, and the
      // window is delimited by the kernel's own counts, not by a clock: it opens once each hog has
      // used 50 ms of CPU since the release (the weaker one needs longer to exec its loop:
      // seconds under emulation) and closes when the two together have used 2 s of CPU, well
      // before either's timeout.
      const usage = () => ({ low: cpuUsageUsOf(dirs.w100 ?? []), high: cpuUsageUsOf(dirs.w400 ?? []) });
      const released = usage();
      const u1 = await pollUntil(
        usage,
        (u) => u.low - released.low >= 50_000 && u.high - released.high >= 50_000,
      );
      const u2 = await pollUntil(usage, (u) => u.low - u1.low + (u.high - u1.high) >= 2_000_000);
      const [low, high] = await runs;
      expect(low.proc.exitCode).toBe(124); // timeout(1) ended both hogs: they ran the whole window
      expect(high.proc.exitCode).toBe(124);
      const lowUs = u2.low - u1.low;
      const highUs = u2.high - u1.high;
      expect(lowUs).toBeGreaterThan(0);
      const ratio = highUs / lowUs;
      expect(ratio, `w400 ${highUs} µs / w100 ${lowUs} µs`).toBeGreaterThanOrEqual(3);
      expect(ratio).toBeLessThanOrEqual(5.5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('cpu.max 20000/100000 is enforced as throttling', async () => {
    const { json } = await execJson(
      ['--name', 'quota', '--limit', 'cpu.max=20000 100000'],
      ['timeout', '2', 'sh', '-c', 'while :; do :; done'],
    );
    // Read from the kernel's own counts (cpu.stat), not from a clock: the 100 ms periods in which
    // the cgroup ran, those in which it used up its quota, and its CPU time. A busy loop under a
    // 20 ms quota runs out of quota in nearly every period and never gets more than 20 ms of CPU
    // per period (plus the overshoot of the last scheduler tick of a period, 4 ms at HZ=250).
    const s = json?.stats;
    const periods = s?.cpuNrPeriods ?? 0;
    expect(periods).toBeGreaterThan(5);
    expect(s?.cpuNrThrottled ?? 0).toBeGreaterThanOrEqual(periods / 2);
    expect(s?.cpuThrottledUs).toBeGreaterThan(0);
    expect(s?.cpuUsageUs ?? Infinity).toBeLessThanOrEqual((20_000 + 4_000) * (periods + 1));
  });

  ioTest(
    'io.max.wbps 10MiB throttles O_DIRECT writes: never above 10 MiB/s, and the writer stalls on IO',
    async () => {
      const dir = mkdtempSync(join(io.dir as string, 'isobench-io-'));
      try {
        const { proc, json } = await execJson(
          ['--name', 'iomax', '--io-path', dir, '--limit', 'io.max.wbps=10MiB'],
          ['dd', 'if=/dev/zero', `of=${join(dir, 'f')}`, 'bs=1M', 'count=30', 'oflag=direct'],
        );
        expect(proc.exitCode, proc.stderr).toBe(0);
        // The kernel's count of bytes written must cover what dd wrote ...
        expect(json?.stats.ioWriteBytes ?? 0).toBeGreaterThanOrEqual(30 * MiB);
        // ... the limit is a ceiling: dd's own rate (bytes over the seconds its writes took:
        // "31457280 bytes (...) copied, 3.0 s, 10.5 MB/s") cannot exceed it; a busy machine can only
        // make it lower, so only the upper bound is asserted ...
        const m = /^(\d+) bytes .* copied, ([\d.]+) s,/m.exec(proc.stderr);
        expect(m, proc.stderr).not.toBeNull();
        const rate = Number(m?.[1]) / Number(m?.[2]);
        expect(rate / (10 * MiB)).toBeLessThan(1.15);
        // ... and the kernel counted the writer waiting for its throttled IO: 30 MiB at 10 MiB/s
        // is 3 s of transfer, and PSI io "some" (time with a task of the cgroup stalled on IO)
        // showed 2.0-3.0 s of it here (the throttle lets a first budget through at once, more
        // after an idle spell); unthrottled, the same writes stall about 0.03 s. At least 1 s
        // tells the two apart by 30x. Where there is no PSI (pure v1), the ceiling is the check.
        if (mode !== 'v1') {
          expect(json?.stats.psi?.io?.someTotalUs ?? 0).toBeGreaterThanOrEqual(1_000_000);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('pids.max stops a fork loop', async () => {
    const loop = 'i=0; while [ $i -lt 40 ]; do sleep 3 & echo started; i=$((i+1)); done; wait';
    const { proc, json } = await execJson(['--name', 'forks', '--limit', 'pids.max=10'], ['sh', '-c', loop]);
    const started = proc.stdout.split('\n').filter((l) => l === 'started').length;
    expect(started).toBeLessThan(10);
    expect(proc.exitCode).not.toBe(0);
    expect(proc.stderr).toMatch(/fork/i);
    if (json?.stats.pidsPeak !== null) expect(json?.stats.pidsPeak).toBeLessThanOrEqual(10);
    expect(json?.limits.applied['pids.max']?.value).toBe('10');
  });

  afterAll(() => {
    if (!missing) expect(leftoverCgroups()).toEqual([]);
  });
});
