import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect } from 'vitest';
import { openDriver } from './cgroup/index.js';
import { pidsIn } from './cgroup/teardown.js';
import { scanCgroups } from './cleanup.js';
import { startContainer } from './container/spawn.js';
import { procStat } from './host/procfs.js';
import { Registry, stateDir } from './teardown/registry.js';
import { alive, expectGone, pidsInSync, pollUntil, readdirSafe } from './testing/kernel.js';
import { kernelEnv } from './testing/known-answers.js';
import { CLI, execJson, isobench, leftoverCgroups, newCgroupsNamed } from './testing/support.js';

const { missing, mode, test } = kernelEnv();

describe(`isolation layer: container life (${mode})`, () => {
  test('namespaces: the command is pid 2 under init, hostname is the name, only lo, own /proc', async () => {
    const script =
      'echo pid=$$; hostname; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ip -o link show lo; ls /proc | grep -c "^[0-9]"';
    const { proc, json } = await execJson(['--name', 'ns-check'], ['sh', '-c', script]);
    expect(proc.exitCode, proc.stderr).toBe(0);
    const lines = proc.stdout.trim().split('\n');
    expect(lines[0]).toBe('pid=2');
    expect(lines[1]).toBe('ns-check');
    expect(lines[2]).toBe('lo');
    expect(lines[3]).toMatch(/\blo\b.*<[^>]*\bUP\b/);
    // init, sh, ls, grep: nothing of the host's.
    expect(Number(lines[4])).toBeLessThanOrEqual(5);
    expectGone(json?.cgroup.dirs);
  });

  test('--share-net keeps the host network namespace', async () => {
    const host = (await execa('sh', ['-c', 'tail -n +3 /proc/net/dev | wc -l'])).stdout.trim();
    const { proc } = await execJson(
      ['--name', 'sharenet', '--share-net'],
      ['sh', '-c', 'tail -n +3 /proc/net/dev | wc -l'],
    );
    expect(proc.stdout.trim()).toBe(host);
  });

  test("exit status is the command's, 128+N for a signal; stdout passes through", async () => {
    const a = await execJson(['--name', 'exit3'], ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(a.proc.exitCode).toBe(3);
    expect(a.proc.stdout).toBe('out');
    expect(a.proc.stderr).toBe('err');
    expect(a.json?.exitCode).toBe(3);
    const b = await execJson(['--name', 'term'], ['sh', '-c', 'kill -TERM $$']);
    expect(b.proc.exitCode).toBe(143);
    expect(b.json).toMatchObject({ exitCode: null, signal: 'SIGTERM', oomKilled: false });
  });

  test('--json prints the result as the last line of stdout', async () => {
    const r = await isobench(['exec', '--json', '--name', 'jsonline', '--', 'echo', 'hello']);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('hello');
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ exitCode: 0, signal: null, cgroup: { mode } });
  });

  const badInputs: [string, string[], RegExp][] = [
    ['unknown key', ['--limit', 'memroy.max=1G'], /"memroy\.max"/],
    ['malformed size', ['--limit', 'memory.max=lots'], /"lots"/],
    ['cpu.weight 0', ['--limit', 'cpu.weight=0'], /"0"/],
    ['cpu.weight 10001', ['--limit', 'cpu.weight=10001'], /"10001"/],
    [
      'an io path with no block device',
      ['--io-path', '/dev/shm', '--limit', 'io.max.wbps=1MiB'],
      /"\/dev\/shm".*no block device/,
    ],
    ['a bad name', ['--name', 'Bad.Name'], /"Bad\.Name"/],
  ];
  for (const [what, args, message] of badInputs) {
    test(`bad input (${what}): one line on stderr, exit 2, nothing created`, async () => {
      const before = new Set(readdirSafe(stateDir()));
      const r = await isobench(['exec', ...args, '--', 'true']);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(leftoverCgroups()).toEqual([]);
      expect(readdirSafe(stateDir()).filter((f) => !before.has(f))).toEqual([]);
    });
  }

  test('not root and no delegated cgroup: exit 2 with a clear line', async () => {
    const r = await execa(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', 'node', CLI, 'exec', '--', 'true'],
      {
        reject: false,
        env: { ISOBENCH_STATE_DIR: '/tmp/isobench-nobody-state' },
      },
    );
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/run as root, or in a delegated cgroup v2 subtree/);
  });

  test("after SIGKILL of isobench, cleanup removes the container's cgroups and processes", async () => {
    const before = new Set(scanCgroups().keys());
    // stdio ignored: the container inherits isobench's pipes and would keep them open after the SIGKILL.
    const child = execa(
      'node',
      [CLI, 'exec', '--name', 'killed', '--', 'sh', '-c', 'sleep 300 & sleep 300'],
      { reject: false, stdio: 'ignore' },
    );
    let dirs: string[] = [];
    let pids: number[] = [];
    // Bounded by count, generous: under emulation on a busy host node takes many seconds to start.
    for (let i = 0; i < 2400 && pids.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      for (const [, d] of newCgroupsNamed(before, /-killed$/)) {
        dirs = d;
        pids = await pidsIn(d[0] as string);
      }
    }
    expect(pids.length).toBeGreaterThanOrEqual(3); // init, sh, sleeps (and the outer isobench-init, on v1)
    expect(dirs.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    await child;
    for (const p of pids) expect(alive(p), `pid ${p} should outlive a SIGKILLed isobench`).toBe(true);
    const dry = await isobench(['cleanup', '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toMatch(/would remove cgroup isobench-[a-z0-9]+-killed/);
    for (const d of dirs) expect(existsSync(d)).toBe(true);
    const clean = await isobench(['cleanup']);
    expect(clean.exitCode, clean.stderr).toBe(0);
    for (const d of dirs) expect(existsSync(d)).toBe(false);
    for (const p of pids) expect(alive(p)).toBe(false);
  });

  test('stopping a container kills its whole tree through the cgroup (cgroup.kill where it exists)', async () => {
    const registry = new Registry();
    const driver = openDriver(registry);
    try {
      const h = await driver.create('killtree');
      // setsid: a child in its own session escapes process-group kills, not the cgroup.
      const c = startContainer(driver, h, {
        command: ['sh', '-c', 'setsid sleep 300 & sleep 300 & wait'],
        stdio: 'ignore',
      });
      // init, sh, two sleeps; and the outer isobench-init where pids come from a v1 hierarchy
      // (on v2 it forks init into the cgroup and stays out of it itself).
      const members = mode === 'v2' ? 4 : 5;
      let pids: number[] = [];
      for (let i = 0; i < 200 && pids.length < members; i++) {
        await new Promise((r) => setTimeout(r, 20));
        pids = await driver.pids(h);
      }
      expect(pids.length).toBeGreaterThanOrEqual(members);
      const method = await driver.killAll(h);
      expect(method).toBe(mode === 'v1' ? 'freezer' : 'cgroup.kill');
      expect(await driver.pids(h)).toEqual([]);
      for (const p of pids) expect(alive(p)).toBe(false);
      expect((await c.exited).signal).toBe('SIGKILL');
      await driver.remove(h);
      for (const d of Object.values(h.dirs)) expect(existsSync(d)).toBe(false);
    } finally {
      await registry.teardown();
    }
  });

  test('a threaded child cgroup (as crun makes its payload one on v2) is killed through its threaded domain and removed', async () => {
    const registry = new Registry();
    const driver = openDriver(registry);
    try {
      const h = await driver.create('threaded');
      const c = startContainer(driver, h, { command: ['sleep', '300'], stdio: 'ignore' });
      const top = h.dirs.unified as string;
      const comm = (p: number) => readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      const sleeper = await pollUntil(
        () => pidsInSync(top).find((p) => alive(p) && comm(p) === 'sleep'),
        (p) => p !== undefined || c.child.exitCode !== null,
      );
      expect(sleeper, 'the command never appeared in its cgroup').toBeDefined();
      const payload = join(top, 'payload');
      mkdirSync(payload);
      writeFileSync(join(payload, 'cgroup.type'), 'threaded');
      writeFileSync(join(payload, 'cgroup.procs'), String(sleeper));
      expect(readFileSync(join(payload, 'cgroup.type'), 'utf8').trim()).toBe('threaded');
      expect(readFileSync(join(top, 'cgroup.type'), 'utf8').trim()).toBe('domain threaded');
      // The kernel lists a threaded cgroup's threads, not its processes (cgroup.procs: EOPNOTSUPP).
      expect(await pidsIn(payload)).toEqual([sleeper]);
      expect(await driver.killAll(h)).toBe('cgroup.kill');
      expect(alive(sleeper as number)).toBe(false);
      expect((await c.exited).signal).toBe('SIGKILL');
      await driver.remove(h);
      for (const d of [payload, ...Object.values(h.dirs)]) expect(existsSync(d)).toBe(false);
    } finally {
      await registry.teardown();
    }
  });

  // isobench-init joins v1 hierarchies by "0" in `tasks` and forks init into the v2 cgroup with
  // clone3(CLONE_INTO_CGROUP) (attach.c); ISOBENCH_INIT_NO_CLONE3=1 takes the fallback, a write of
  // its pid to cgroup.procs before a plain fork.
  for (const [how, extra] of [
    ['clone3', {}],
    ['fallback', { ISOBENCH_INIT_NO_CLONE3: '1' }],
  ] as const) {
    test(`init and the command are in the container's cgroup in every hierarchy (${how})`, async () => {
      const registry = new Registry();
      const driver = openDriver(registry);
      try {
        const h = await driver.create(`members-${how}`);
        const c = startContainer(driver, h, {
          command: ['sleep', '300'],
          stdio: 'ignore',
          env: { ...process.env, ...extra },
        });
        const dirs = Object.entries(h.dirs);
        const comm = (p: number) => readFileSync(`/proc/${p}/comm`, 'utf8').trim();
        const sleeper = await pollUntil(
          () => pidsInSync(dirs[0]?.[1] as string).find((p) => alive(p) && comm(p) === 'sleep'),
          (p) => p !== undefined || c.child.exitCode !== null,
        );
        expect(sleeper, 'the command never appeared in its cgroup').toBeDefined();
        const init = procStat(sleeper as number)?.ppid as number;
        expect(procStat(init)?.ppid).toBe(c.pid); // outer -> init -> command
        for (const [key, dir] of dirs) {
          const members = pidsInSync(dir);
          expect(members, `${key}: ${dir}`).toEqual(expect.arrayContaining([init, sleeper]));
          // The outer process: in each v1 hierarchy's; in the v2 one only when it wrote its pid there.
          expect(members.includes(c.pid), `${key}: the outer process`).toBe(
            key !== 'unified' || how === 'fallback',
          );
        }
        await driver.killAll(h);
        expect((await c.exited).signal).toBe('SIGKILL');
        await driver.remove(h);
        for (const [, d] of dirs) expect(existsSync(d)).toBe(false);
      } finally {
        await registry.teardown();
      }
    });
  }

  afterAll(() => {
    if (!missing) expect(leftoverCgroups()).toEqual([]);
  });
});
