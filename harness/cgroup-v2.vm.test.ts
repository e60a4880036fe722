/**
 * Checks only a pure cgroup v2 host can answer; run inside the VM by `npm run test:v2`
 * (ci/kernel-vm), next to the mode-agnostic isolation suite.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { detectCgroups } from './cgroup/detect.js';
import { openDriver } from './cgroup/index.js';
import { startContainer } from './container/spawn.js';
import { Registry } from './teardown/registry.js';
import { CLI, execJson, itWhen, leftoverCgroups, missingRoot } from './testing/support.js';

const root = missingRoot();
const host = root ? null : detectCgroups();
const missing =
  root ?? (host?.mode === 'v2' ? null : `not a cgroup v2 host (mode ${host?.mode}); run npm run test:v2`);
const test = itWhen(missing);
const CG = host?.unified?.mountPoint ?? '/sys/fs/cgroup';
const PARENT = join(CG, 'v2test-parent');

function events(dir: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(dir, 'cgroup.events'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
}

// A delegating administrator makes controllers available to a subtree; isobench itself only ever
// enables them in the parent it was given (or runs in).
const DELEGATE = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
let enabledByTest: string[] = [];

describe('cgroup v2 only', () => {
  beforeAll(() => {
    if (missing) return;
    const file = join(CG, 'cgroup.subtree_control');
    const have = readFileSync(file, 'utf8').trim().split(' ');
    enabledByTest = DELEGATE.filter((c) => !have.includes(c));
    for (const c of enabledByTest) writeFileSync(file, `+${c}`);
  });

  test('the host shows the v2 controllers isobench uses', () => {
    const ctrls = readFileSync(join(CG, 'cgroup.controllers'), 'utf8').trim().split(' ');
    process.stdout.write(`cgroup.controllers: ${ctrls.join(' ')}\n`);
    for (const c of ['cpuset', 'cpu', 'io', 'memory', 'pids']) expect(ctrls).toContain(c);
  });

  test("nesting below isobench's own non-root cgroup obeys the no-internal-process rule", async () => {
    mkdirSync(PARENT);
    try {
      // isobench starts inside PARENT, which therefore has a process: it must move itself into a
      // supervisor leaf before it can enable controllers for its containers.
      const script = `echo $$ > ${PARENT}/cgroup.procs && exec node ${CLI} exec --json --name nested --limit memory.max=64MiB --limit cpu.weight=50 -- sleep 3`;
      const running = execa('sh', ['-c', script], { reject: false });
      let finished = false;
      void running.finally(() => {
        finished = true;
      });
      // Watch until isobench is seen in its supervisor leaf or the run ends (start-up takes
      // seconds under emulation, so the loop is bounded by the run, not by a count).
      let seen: { procs: string; ctl: string; parentProcs: string } | null = null;
      while (!finished && !seen) {
        const sup = readdirSync(PARENT).find((d) => d.endsWith('--supervisor'));
        if (sup) {
          const procs = readFileSync(join(PARENT, sup, 'cgroup.procs'), 'utf8').trim();
          const ctl = readFileSync(join(PARENT, 'cgroup.subtree_control'), 'utf8').trim();
          const parentProcs = readFileSync(join(PARENT, 'cgroup.procs'), 'utf8').trim();
          if (procs && ctl.includes('memory') && readdirSync(PARENT).some((d) => d.endsWith('-nested')))
            seen = { procs, ctl, parentProcs };
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      const run = await running;
      expect(run.exitCode, run.stderr).toBe(0);
      const json = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
      expect(json.cgroup.path).toMatch(/^\/v2test-parent\/isobench-[a-z0-9]+-nested$/);
      expect(json.limits.applied['memory.max'].value).toBe(String(64 * 1024 * 1024));
      expect(json.limits.applied['cpu.weight'].value).toBe('50');
      // While it ran: isobench in the supervisor leaf, the parent itself empty, controllers enabled.
      expect(seen).not.toBeNull();
      expect(seen?.parentProcs).toBe('');
      expect(seen?.ctl.split(' ')).toEqual(expect.arrayContaining(['cpu', 'memory', 'io', 'pids']));
      // After: controllers disabled again, no supervisor, nothing left below the parent.
      expect(readFileSync(join(PARENT, 'cgroup.subtree_control'), 'utf8').trim()).toBe('');
      expect(readdirSync(PARENT).filter((d) => d.startsWith('isobench-'))).toEqual([]);
    } finally {
      rmdirSync(PARENT);
    }
  });

  test('a parent holding a process isobench did not start is refused, and nothing is created', async () => {
    mkdirSync(PARENT);
    const stranger = execa('sleep', ['30'], { reject: false });
    try {
      writeFileSync(join(PARENT, 'cgroup.procs'), String(stranger.pid));
      const r = await execa(
        'node',
        [CLI, 'exec', '--cgroup-parent', '/v2test-parent', '--limit', 'memory.max=64MiB', '--', 'true'],
        {
          reject: false,
        },
      );
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/holds processes isobench did not start \(\d+/);
      expect(readdirSync(PARENT).filter((d) => d.startsWith('isobench-'))).toEqual([]);
      expect(readFileSync(join(PARENT, 'cgroup.subtree_control'), 'utf8').trim()).toBe('');
    } finally {
      stranger.kill('SIGKILL');
      await stranger;
      rmdirSync(PARENT);
    }
  });

  test('memory.events counts the OOM kill, and cgroup.events shows unpopulated before rmdir', async () => {
    const registry = new Registry();
    const driver = openDriver(registry);
    try {
      const h = await driver.create('oomv2');
      await driver.apply(h, { 'memory.max': 64 * 1024 * 1024, 'memory.swap.max': 0 }, null);
      const c = startContainer(driver, h, {
        command: ['node', '-e', 'const a=[];for(;;)a.push(Buffer.alloc(8<<20,1))'],
        stdio: 'ignore',
      });
      const exit = await c.exited;
      expect(exit.signal).toBe('SIGKILL');
      const dir = h.dirs.unified as string;
      const memEvents = readFileSync(join(dir, 'memory.events'), 'utf8');
      expect(Number(/^oom_kill (\d+)$/m.exec(memEvents)?.[1])).toBeGreaterThanOrEqual(1);
      expect((await driver.readStats(h)).oomKills).toBeGreaterThanOrEqual(1);
      // The OOM kill ended the command and init: the cgroup is empty by now or about to be, and
      // killAll either finds nothing to kill ('none') or ends what is left with cgroup.kill.
      expect(['cgroup.kill', 'none']).toContain(await driver.killAll(h));
      expect(events(dir).populated).toBe('0');
      await driver.remove(h);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await registry.teardown();
    }
  });

  test('per-cgroup PSI is read: a CPU-throttled container shows cpu pressure', async () => {
    const { json } = await execJson(
      ['--name', 'psi', '--limit', 'cpu.max=10000 100000'],
      ['timeout', '2', 'sh', '-c', 'while :; do :; done'],
    );
    expect(json?.stats.psi).not.toBeNull();
    expect(json?.stats.psi?.cpu?.someTotalUs).toBeGreaterThan(0);
    expect(json?.stats.psi?.memory).not.toBeNull();
    expect(json?.stats.psi?.io).not.toBeNull();
  });

  afterAll(() => {
    if (missing) return;
    for (const c of enabledByTest.reverse()) writeFileSync(join(CG, 'cgroup.subtree_control'), `-${c}`);
    expect(leftoverCgroups()).toEqual([]);
  });
});
