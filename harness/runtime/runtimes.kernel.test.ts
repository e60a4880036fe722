/**
 * Known answers under each container runtime (lxc, oci): the runtime writes the limits, isobench
 * reads them back from the runtime's cgroup and the kernel enforces them (cpu.weight split,
 * cpu.max throttling, memory.max OOM kill, pids.max, io.max on O_DIRECT writes), asserted on what
 * the kernel counted. Runs on this host (hybrid); not yet in the cgroup v2 VM suite (vitest.v2.config.ts says why).
 * A runtime that is not installed skips with the reason (fails under CI).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { detectCgroups } from '../cgroup/detect.js';
import { scanCgroups } from '../cleanup.js';
import { stateDir } from '../teardown/registry.js';
import { cpuUsageUsOf, MiB, pollUntil } from '../testing/kernel.js';
import {
  execJson,
  ioTestDir,
  isobench,
  itWhen,
  leftoverCgroups,
  missingRoot,
  newCgroupsNamed,
} from '../testing/support.js';
import { findProgram } from './programs.js';

const root = missingRoot();
const mode = root ? 'unknown' : detectCgroups().mode;
const io = ioTestDir();
const RUNTIMES = { lxc: 'lxc-execute', oci: 'runc' } as const;

for (const [runtime, program] of Object.entries(RUNTIMES)) {
  const missing =
    root ?? (findProgram(program) ? null : `${program} is not installed (apt-get install lxc runc)`);
  const test = itWhen(missing);
  const ioTest = itWhen(missing ?? io.missing);
  const rt = ['--runtime', runtime];

  describe(`runtime ${runtime}: known answers (${mode})`, () => {
    test('the runtime writes every limit; isobench reads them back from its cgroup and records its config', async () => {
      const { proc, json } = await execJson(
        [
          ...rt,
          '--name',
          `lim-${runtime}`,
          '--limit',
          'cpu.weight=400',
          '--limit',
          'cpu.max=50000 100000',
        ].concat(['--limit', 'memory.max=256MiB', '--limit', 'pids.max=50']),
        ['sleep', '0.3'],
      );
      expect(proc.exitCode, proc.stderr).toBe(0);
      const applied = json?.limits.applied ?? {};
      expect(applied['cpu.weight']?.value).toBe('400');
      expect(applied['cpu.max']?.value).toBe('50000 100000');
      expect(applied['memory.max']?.value).toBe(String(256 * MiB));
      expect(applied['pids.max']?.value).toBe('50');
      if (mode !== 'v2') expect(applied['cpu.weight']).toMatchObject({ file: 'cpu.shares', raw: '4096' });
      const record = (json as unknown as { runtime: Record<string, string> }).runtime;
      expect(record.runtime).toBe(runtime);
      expect(record.version).not.toBe('');
      expect(record.cgroupPath).toMatch(/payload$/);
      if (runtime === 'lxc')
        expect(record.config).toMatch(/^lxc\.cgroup2?\.memory\.(max|limit_in_bytes) = 268435456$/m);
      else expect(JSON.parse(String(record.config)).linux.resources).toBeTruthy();
      // Nothing left: the container's cgroups with the runtime's inside them, its state dir.
      for (const d of Object.values(json?.cgroup.dirs ?? {})) expect(existsSync(d)).toBe(false);
      const states = join(stateDir(), 'runtimes');
      expect(
        existsSync(states) ? readdirSync(states).filter((n) => n.endsWith(`-lim-${runtime}`)) : [],
      ).toEqual([]);
    });

    test("memory.max below a hog's need: the hog is OOM-killed in the runtime's cgroup", async () => {
      const hog = 'const a=[];for(;;){a.push(Buffer.alloc(8<<20,1))}';
      // The shell outlives its hog, so that the payload cgroup (which the runtime removes when its
      // payload ends) is read while it still holds the OOM-kill count.
      const { proc, json } = await execJson(
        [...rt, '--name', `oom-${runtime}`, '--limit', 'memory.max=96MiB', '--limit', 'memory.swap.max=0'],
        ['sh', '-c', `node -e '${hog}'; echo hog=$?; sleep 0.5`],
      );
      expect(proc.stdout).toContain('hog=137');
      expect(json?.stats.oomKills).toBeGreaterThanOrEqual(1);
      expect(json?.limits.applied['memory.max']?.value).toBe(String(96 * MiB));
    });

    test('cpu.weight 100 vs 400 on one CPU splits CPU time near 1:4', async () => {
      const before = new Set(scanCgroups().keys());
      const hog = ['timeout', '8', 'sh', '-c', 'while :; do :; done'];
      const start = (w: number) =>
        execJson(
          [...rt, '--name', `w${w}-${runtime}`, '--limit', `cpu.weight=${w}`, '--limit', 'cpuset.cpus=0'],
          hog,
        );
      const runs = Promise.all([start(100), start(400)]);
      const found = await pollUntil(
        () => newCgroupsNamed(before, new RegExp(`-w(100|400)-${runtime}$`)),
        (m) => m.size === 2,
      );
      const dirs = Object.fromEntries(
        [...found].map(([id, d]) => [id.includes('-w100-') ? 'low' : 'high', d]),
      );
      // On hybrid, v1 cpuacct (hierarchical): runc 1.1 puts its payload's cgroup2 membership
      // outside the container's cgroup2 dir (see ociPayloadDir), which then holds only runc.
      const cpuDirs = (d: string[] = []) => (mode === 'v2' ? d : d.filter((x) => !x.includes('/unified/')));
      const usage = () => ({ low: cpuUsageUsOf(cpuDirs(dirs.low)), high: cpuUsageUsOf(cpuDirs(dirs.high)) });
      // A window delimited by the kernel's counts: both hogs spin once each has used 50 ms.
      let u1: ReturnType<typeof usage>;
      let u2: ReturnType<typeof usage>;
      try {
        const u0 = usage();
        u1 = await pollUntil(usage, (u) => u.low - u0.low >= 50_000 && u.high - u0.high >= 50_000);
        u2 = await pollUntil(usage, (u) => u.low - u1.low + (u.high - u1.high) >= 2_000_000);
      } catch (err) {
        // A cgroup gone before the window closed: the runs say why.
        const [l, h] = await runs;
        throw new Error(`${(err as Error).message}: ${l.proc.stderr} ${h.proc.stderr}`);
      }
      const [low, high] = await runs;
      expect(low.proc.exitCode, low.proc.stderr).toBe(124);
      expect(high.proc.exitCode, high.proc.stderr).toBe(124);
      const ratio = (u2.high - u1.high) / (u2.low - u1.low);
      expect(ratio).toBeGreaterThanOrEqual(3);
      expect(ratio).toBeLessThanOrEqual(5.5);
    });

    test('cpu.max 20000/100000 is enforced as throttling', async () => {
      const { json } = await execJson(
        [...rt, '--name', `quota-${runtime}`, '--limit', 'cpu.max=20000 100000'],
        ['timeout', '2', 'sh', '-c', 'while :; do :; done'],
      );
      const s = json?.stats;
      const periods = s?.cpuNrPeriods ?? 0;
      expect(periods).toBeGreaterThan(5);
      expect(s?.cpuNrThrottled ?? 0).toBeGreaterThanOrEqual(periods / 2);
      expect(s?.cpuThrottledUs).toBeGreaterThan(0);
    });

    ioTest('io.max.wbps 10MiB throttles O_DIRECT writes', async () => {
      const dir = mkdtempSync(join(io.dir as string, 'isobench-io-'));
      try {
        const { proc, json } = await execJson(
          [...rt, '--name', `io-${runtime}`, '--io-path', dir, '--limit', 'io.max.wbps=10MiB'],
          ['dd', 'if=/dev/zero', `of=${join(dir, 'f')}`, 'bs=1M', 'count=30', 'oflag=direct'],
        );
        expect(proc.exitCode, proc.stderr).toBe(0);
        expect(json?.limits.applied['io.max.wbps']?.value).toBe(String(10 * MiB));
        expect(json?.stats.ioWriteBytes ?? 0).toBeGreaterThanOrEqual(30 * MiB);
        const m = /^(\d+) bytes .* copied, ([\d.]+) s,/m.exec(proc.stderr);
        expect(m, proc.stderr).not.toBeNull();
        expect(Number(m?.[1]) / Number(m?.[2]) / (10 * MiB)).toBeLessThan(1.15);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('pids.max stops a fork loop', async () => {
      const loop = 'i=0; while [ $i -lt 40 ]; do sleep 3 & echo started; i=$((i+1)); done; wait';
      const { proc, json } = await execJson(
        [...rt, '--name', `forks-${runtime}`, '--limit', 'pids.max=10'],
        ['sh', '-c', loop],
      );
      const started = proc.stdout.split('\n').filter((l) => l === 'started').length;
      expect(started).toBeLessThan(10);
      expect(proc.stderr).toMatch(/fork/i);
      expect(json?.limits.applied['pids.max']?.value).toBe('10');
    });
  });
}

describe('a runtime that refuses the host', () => {
  const crunOnHybrid = root ?? (mode === 'hybrid' ? null : `the host is ${mode}, not hybrid`);
  itWhen(crunOnHybrid ?? (findProgram('crun') ? null : 'crun is not installed'))(
    "crun on hybrid cgroups: exit 2 with crun's reason before anything is created",
    async () => {
      const before = new Set(scanCgroups().keys());
      const out = mkdtempSync(join(tmpdir(), 'isobench-crun-'));
      try {
        const proc = await isobench(
          ['run', 'scenarios/web-vs-db-runtimes.yaml', '--repetitions', '1', '--out', join(out, 'r')],
          { env: { ISOBENCH_OCI_RUNTIME: 'crun' } },
        );
        expect(proc.exitCode).toBe(2);
        expect(proc.stderr).toContain('cgroups in hybrid mode not supported');
        expect([...scanCgroups().keys()].filter((id) => !before.has(id))).toEqual([]);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );

  afterAll(() => {
    if (!root) expect(leftoverCgroups()).toEqual([]);
  });
});
