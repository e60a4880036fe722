/**
 * Known answers under each container runtime (lxc, oci): the runtime writes the limits, isobench
 * reads them back from the runtime's cgroup and the kernel enforces them (cpu.weight split,
 * cpu.max throttling, memory.max OOM kill, pids.max, io.max on O_DIRECT writes), asserted on what
 * the kernel counted, and that every part of the payload's cgroup is below the container's. Runs
 * on this host (hybrid: lxc, runc, and crun's refusal) and in the cgroup v2 VM (lxc, runc, crun).
 * A runtime that is not installed skips with the reason (fails under CI).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { scanCgroups } from '../cleanup.js';
import { stateDir } from '../teardown/registry.js';
import { MiB, pidsInSync as pidsIn, pollUntil } from '../testing/kernel.js';
import { cpuWeightSplit, kernelEnv } from '../testing/known-answers.js';
import { execJson, isobench, leftoverCgroups, newCgroupsNamed } from '../testing/support.js';
import { findProgram } from './programs.js';

const { missing: root, mode } = kernelEnv();

interface Case {
  /** The test's name for it, also the containers' name suffix. */
  label: string;
  runtime: 'lxc' | 'oci';
  program: string;
  env: Record<string, string>;
}

/**
 * lxc and runc everywhere; crun where it accepts the host: not on hybrid cgroups, where it
 * refuses and the last describe checks that refusal instead (so neither is a skip under CI).
 */
const CASES: Case[] = [
  { label: 'lxc', runtime: 'lxc', program: 'lxc-execute', env: {} },
  { label: 'runc', runtime: 'oci', program: 'runc', env: { ISOBENCH_OCI_RUNTIME: 'runc' } },
  ...(mode === 'hybrid'
    ? []
    : [{ label: 'crun', runtime: 'oci', program: 'crun', env: { ISOBENCH_OCI_RUNTIME: 'crun' } } as const]),
];

for (const { label, runtime, program, env } of CASES) {
  const notInstalled = findProgram(program)
    ? null
    : `${program} is not installed (apt-get install lxc runc crun)`;
  const { test, ioTest, io } = kernelEnv(notInstalled);
  const rt = ['--runtime', runtime];
  const execRt = (args: string[], command: string[]) => execJson([...rt, ...args], command, { env });

  describe(`runtime ${runtime} (${label}): known answers (${mode})`, () => {
    test('the runtime writes every limit; isobench reads them back from its cgroup and records its config', async () => {
      const { proc, json } = await execRt(
        ['--name', `lim-${label}`, '--limit', 'cpu.weight=400', '--limit', 'cpu.max=50000 100000'].concat([
          '--limit',
          'memory.max=256MiB',
          '--limit',
          'pids.max=50',
        ]),
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
      expect(record.engine).toBe(runtime === 'lxc' ? 'lxc' : label);
      expect(record.version).not.toBe('');
      expect(record.cgroupPath).toMatch(/payload$/);
      if (runtime === 'lxc')
        expect(record.config).toMatch(/^lxc\.cgroup2?\.memory\.(max|limit_in_bytes) = 268435456$/m);
      else expect(JSON.parse(String(record.config)).linux.resources).toBeTruthy();
      // Nothing left: the container's cgroups with the runtime's inside them, its state dir.
      for (const d of Object.values(json?.cgroup.dirs ?? {})) expect(existsSync(d)).toBe(false);
      const states = join(stateDir(), 'runtimes');
      expect(
        existsSync(states) ? readdirSync(states).filter((n) => n.endsWith(`-lim-${label}`)) : [],
      ).toEqual([]);
    });

    test("the payload's cgroup is the container's `payload` in every hierarchy, cgroup2 included", async () => {
      const before = new Set(scanCgroups().keys());
      const run = execRt(['--name', `place-${label}`], ['sleep', '3']);
      // lxc's payload is below its runtime leaf on v2 (the driver's leaf), the others' beside it.
      const payloadOf = (d: string) =>
        existsSync(join(d, 'runtime', 'payload')) ? join(d, 'runtime', 'payload') : join(d, 'payload');
      let ended = false;
      void run.finally(() => {
        ended = true;
      });
      // The command itself, not just any two members: the runtime's own set-up processes pass
      // through the payload cgroup and exit (runc's init before it execs isobench-init).
      const comm = (p: number) => {
        try {
          return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
        } catch {
          return '';
        }
      };
      const sleeperIn = (d: string) => pidsIn(payloadOf(d)).find((p) => comm(p) === 'sleep');
      const found = await pollUntil(
        () => newCgroupsNamed(before, new RegExp(`-place-${label}$`)),
        (m) =>
          ended || (m.size === 1 && [...m.values()][0]?.every((d) => sleeperIn(d) !== undefined) === true),
      );
      if (ended) {
        const { proc } = await run;
        throw new Error(`the run ended (exit ${proc.exitCode}) before its payload showed: ${proc.stderr}`);
      }
      const dirs = [...found.values()][0] ?? [];
      // The payload is isobench-init and its sleep: the same pids in each hierarchy's payload dir.
      const sets = dirs.map((d) =>
        pidsIn(payloadOf(d))
          .sort((a, b) => a - b)
          .join(','),
      );
      expect(sets[0]).not.toBe('');
      expect(new Set(sets).size, dirs.join(' ')).toBe(1);
      const pid = sleeperIn(dirs[0] as string) as number;
      expect(pid, 'the command left its payload cgroup').toBeDefined();
      const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
      const id = [...found.keys()][0] as string;
      for (const l of lines)
        expect(l, 'below the container').toMatch(new RegExp(`/${id}/(runtime/)?payload$`));
      const { proc } = await run;
      expect(proc.exitCode, proc.stderr).toBe(0);
    });

    test("memory.max below a hog's need: the hog is OOM-killed in the runtime's cgroup", async () => {
      const hog = 'const a=[];for(;;){a.push(Buffer.alloc(8<<20,1))}';
      // The shell outlives its hog, so that the payload cgroup (which the runtime removes when its
      // payload ends) is read while it still holds the OOM-kill count.
      const { proc, json } = await execRt(
        ['--name', `oom-${label}`, '--limit', 'memory.max=96MiB', '--limit', 'memory.swap.max=0'],
        ['sh', '-c', `node -e '${hog}'; echo hog=$?; sleep 0.5`],
      );
      expect(proc.stdout).toContain('hog=137');
      expect(json?.stats.oomKills).toBeGreaterThanOrEqual(1);
      expect(json?.limits.applied['memory.max']?.value).toBe(String(96 * MiB));
    });

    test('cpu.weight 100 vs 400 on one CPU splits CPU time near 1:4', async () => {
      await cpuWeightSplit(rt, `-${label}`, env);
    });

    test('cpu.max 20000/100000 is enforced as throttling', async () => {
      const { json } = await execRt(
        ['--name', `quota-${label}`, '--limit', 'cpu.max=20000 100000'],
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
        const { proc, json } = await execRt(
          ['--name', `io-${label}`, '--io-path', dir, '--limit', 'io.max.wbps=10MiB'],
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
      const { proc, json } = await execRt(
        ['--name', `forks-${label}`, '--limit', 'pids.max=10'],
        ['sh', '-c', loop],
      );
      const started = proc.stdout.split('\n').filter((l) => l === 'started').length;
      expect(started).toBeLessThan(10);
      expect(proc.stderr).toMatch(/fork/i);
      expect(json?.limits.applied['pids.max']?.value).toBe('10');
    });
  });
}

// crun refuses hybrid cgroups: there (this host) the scenario fails validation with crun's reason
// and nothing is created; elsewhere crun runs the known answers above.
if (mode === 'hybrid')
  describe('a runtime that refuses the host', () => {
    const { test } = kernelEnv(findProgram('crun') ? null : 'crun is not installed (apt-get install crun)');
    test("crun on hybrid cgroups: exit 2 with crun's reason before anything is created", async () => {
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
    });
  });

afterAll(() => {
  if (!root) expect(leftoverCgroups()).toEqual([]);
});
