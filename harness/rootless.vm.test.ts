/**
 * Rootless isobench on a pure cgroup v2 kernel (run inside ci/kernel-vm by `npm run test:v2`): an
 * ordinary user (uid 65534, nobody) with a cgroup subtree delegated the way systemd does it
 * (CGROUP_DELEGATION.md: the directory, its cgroup.procs, cgroup.subtree_control and cgroup.threads
 * chowned to the user; the controller files of the delegated cgroup itself stay root's) runs
 * `isobench exec` and `isobench run` in a user namespace, with limits applied, read back and
 * enforced; and what needs root is refused before anything is created, naming it.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { detectCgroups } from './cgroup/detect.js';
import { readResults } from './results/reader.js';
import {
  CLI,
  type ExecJson,
  ioTestDir,
  itWhen,
  leftoverCgroups,
  missingRoot,
  OPEN_GUARDS,
} from './testing/support.js';

const root = missingRoot();
const host = root ? null : detectCgroups();
const io = ioTestDir();
const missing =
  root ??
  (host?.mode === 'v2' ? null : `not a cgroup v2 host (mode ${host?.mode}); run npm run test:v2`) ??
  io.missing;
const test = itWhen(missing);
const CG = host?.unified?.mountPoint ?? '/sys/fs/cgroup';
const USER = 65534; // nobody/nogroup: an ordinary user with no subordinate ids
const MiB = 1024 * 1024;
// Delegated with every controller isobench uses; and one with systemd's default for a user
// session (Delegate=pids memory cpu in user@.service): no io, no cpuset.
const FULL = join(CG, 'rootless-full');
const NO_IO_PARENT = join(CG, 'rootless-noio');
const NO_IO = join(NO_IO_PARENT, 'user');
const CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'pids'];
let enabledByTest: string[] = [];
let work = '';

/** What systemd's Delegate=yes does for a user: the cgroup and the three files a delegatee writes. */
function delegate(dir: string): void {
  mkdirSync(dir);
  for (const f of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'])
    chownSync(join(dir, f), USER, USER);
}

/** A directory of the user's own on the VM's disk (io limits need a block device). */
function userDir(name: string): string {
  const d = join(work, name);
  mkdirSync(d);
  chownSync(d, USER, USER);
  return d;
}

/**
 * `node CLI ARGS` as the ordinary user, started in `cgroup` (root moves the shell there first, as
 * systemd-run --user --scope does for the user's manager), with the user's data dir as cwd.
 */
function asUser(cgroup: string, cwd: string, args: string[]) {
  const script = `echo $$ > "$0/cgroup.procs" && exec setpriv --reuid=${USER} --regid=${USER} --clear-groups -- node "$@"`;
  return execa('sh', ['-c', script, cgroup, CLI, ...args], {
    cwd,
    reject: false,
    // The user's own state dir (root's is /run/isobench) and HOME.
    env: { HOME: cwd, TMPDIR: cwd, ISOBENCH_STATE_DIR: join(cwd, 'state') },
    timeout: 900_000,
  });
}

function children(dir: string): string[] {
  return readdirSync(dir).filter((d) => d.startsWith('isobench-'));
}

describe('rootless on a delegated cgroup v2 subtree', () => {
  beforeAll(() => {
    if (missing) return;
    const file = join(CG, 'cgroup.subtree_control');
    const have = readFileSync(file, 'utf8').trim().split(' ');
    enabledByTest = CONTROLLERS.filter((c) => !have.includes(c));
    for (const c of enabledByTest) writeFileSync(file, `+${c}`);
    delegate(FULL);
    mkdirSync(NO_IO_PARENT);
    writeFileSync(join(NO_IO_PARENT, 'cgroup.subtree_control'), '+cpu +memory +pids');
    delegate(NO_IO);
    work = mkdtempSync(join(io.dir as string, 'isobench-rootless-'));
    chmodSync(work, 0o755);
  });

  test('exec: uid 0 in a user namespace, contained, limits applied and read back', async () => {
    const dir = userDir('exec');
    // A directory the user may write on the host, but outside the container's data dir: only
    // containment keeps the container from writing there (/root is not the user's anyway).
    const outside = userDir('outside');
    const script = `id -u; cat /proc/self/uid_map; touch ${outside}/x; echo outside=$?; echo hi > f; echo data=$?`;
    const limits = [
      'cpu.weight=50',
      'cpu.max=50000 100000',
      'memory.max=64MiB',
      'pids.max=32',
      'io.max.wbps=10MiB',
    ];
    const r = await asUser(FULL, dir, [
      'exec',
      '--json',
      '--name',
      'rootless',
      '--io-path',
      dir,
      ...limits.flatMap((l) => ['--limit', l]),
      '--',
      'sh',
      '-c',
      script,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    // The closing note quotes this line: a rootless `isobench exec --json` from the VM.
    process.stdout.write(`rootless exec --json (v2 VM): ${lines.at(-1)}\n`);
    const json = JSON.parse(lines.at(-1) as string) as ExecJson & Record<string, unknown>;
    expect(lines[0]).toBe('0');
    expect(lines[1]?.trim().split(/\s+/)).toEqual(['0', String(USER), '1']);
    expect(lines.slice(2, 4)).toEqual(['outside=1', 'data=0']);
    expect(r.stderr).toMatch(/outside\/x'?: Read-only file system/);
    expect(existsSync(join(outside, 'x'))).toBe(false);
    // Written through the bind of the data dir: the user's file on the host.
    expect(statSync(join(dir, 'f')).uid).toBe(USER);
    expect(json.cgroup.path).toMatch(/^\/rootless-full\/isobench-[a-z0-9]+-rootless$/);
    const value = (k: string) => json.limits.applied[k]?.value;
    expect(value('cpu.weight')).toBe('50');
    expect(value('cpu.max')).toBe('50000 100000');
    expect(value('memory.max')).toBe(String(64 * MiB));
    expect(value('pids.max')).toBe('32');
    expect(value('io.max.wbps')).toBe(String(10 * MiB));
    expect(json).toMatchObject({
      privileged: false,
      containment: { dataDir: dir, capabilities: [] },
      userns: { uidMap: [`0 ${USER} 1`], gidMap: [`0 ${USER} 1`] },
    });
    // Nothing left, and the delegated cgroup as the user got it.
    expect(children(FULL)).toEqual([]);
    expect(readFileSync(join(FULL, 'cgroup.subtree_control'), 'utf8').trim()).toBe('');
  });

  test('exec: memory.max is enforced in a rootless container (OOM kill, 137)', async () => {
    const dir = userDir('oom');
    // dd allocates and fills one 64 MiB block: four times the limit.
    const r = await asUser(FULL, dir, [
      'exec',
      '--json',
      '--name',
      'oom',
      '--limit',
      'memory.max=16MiB',
      '--limit',
      'memory.swap.max=0',
      '--',
      'dd',
      'if=/dev/zero',
      'of=/dev/null',
      'bs=64M',
      'count=1',
    ]);
    expect(r.exitCode, r.stderr).toBe(137);
    const json = JSON.parse(r.stdout.split('\n').at(-1) as string) as ExecJson;
    expect(json.oomKilled).toBe(true);
    expect(json.stats.oomKills).toBeGreaterThanOrEqual(1);
  });

  test('run: a short scenario, each trial ok with its limits read back and the user namespace recorded', async () => {
    const dir = userDir('run');
    const scenario = join(dir, 'rootless.yaml');
    writeFileSync(
      scenario,
      [
        'name: rootless',
        'duration: 2s',
        'warmup: 500ms',
        'repetitions: 1',
        'sampleInterval: 500ms',
        'containers:',
        '  web:',
        '    workload: web',
        '    params: { mode: heap, working-set: 16MiB }',
        '    load: { rate: 50, connections: 2 }',
        '    limits: { cpu.weight: 50, memory.max: 128MiB, pids.max: 64 }',
        '  hog:',
        '    command: [sh, -c, "echo hi > f && while :; do :; done"]',
        '    limits: { cpu.max: "20000 100000", io.max.wbps: 10MiB }',
        '    aggressor: true',
        'phases:',
        '  - { name: solo, kind: solo, containers: [web] }',
        '  - { name: colocated, kind: colocated, containers: [web, hog] }',
        '',
      ].join('\n'),
    );
    chownSync(scenario, USER, USER);
    const out = join(dir, 'out');
    const r = await asUser(FULL, dir, ['run', scenario, '--out', out, ...OPEN_GUARDS]);
    expect(r.exitCode, r.stderr).toBe(0);
    const results = readResults(out);
    expect(results.status).toBe('complete');
    // A failed trial shows its reason here, not only its status.
    expect(results.trials.map((t) => (t.status === 'failed' ? t.reason : t.status))).toEqual(['ok', 'ok']);
    const co = results.trials.find((t) => t.phase.kind === 'colocated');
    const web = co?.containers.find((c) => c.name === 'web');
    const hog = co?.containers.find((c) => c.name === 'hog');
    expect(web?.limits.applied['memory.max']?.value).toBe(String(128 * MiB));
    expect(web?.limits.applied['pids.max']?.value).toBe('64');
    // The load generator reached the server in its network namespace (nsenter joins the
    // container's user namespace first, without root) and every request was answered.
    const load = web?.load as { requests?: number; completed?: number; errors?: number } | null;
    expect(load?.requests ?? 0).toBeGreaterThan(0);
    expect(load?.completed).toBe(load?.requests);
    expect(load?.errors).toBe(0);
    expect(hog?.limits.applied['cpu.max']?.value).toBe('20000 100000');
    expect(hog?.limits.applied['io.max.wbps']?.value).toBe(String(10 * MiB));
    expect(web?.privileged).toBe(false);
    expect(web?.userns).toEqual({ uidMap: [`0 ${USER} 1`], gidMap: [`0 ${USER} 1`] });
    // The hog's write into its data dir worked (else it would have exited at once, recorded).
    expect(hog?.exit?.exitCode ?? null).toBeNull();
    // The hog was throttled by its cpu.max: the kernel counted throttled time in the window.
    expect(hog?.cgroup.cpuThrottledUs ?? 0).toBeGreaterThan(0);
    expect(children(FULL)).toEqual([]);
  });

  test('a limit whose controller is not delegated (io) is refused, naming it; nothing is created', async () => {
    const dir = userDir('noio');
    const r = await asUser(NO_IO, dir, [
      'exec',
      '--io-path',
      dir,
      '--limit',
      'io.max.wbps=10MiB',
      '--',
      'true',
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      /ISOBENCH_NOT_DELEGATED: limit io\.max needs the io controller, which was not delegated to uid 65534 \(cgroup \/rootless-noio\/user has "cpu memory pids"\)/,
    );
    expect(children(NO_IO)).toEqual([]);
    // The controllers systemd delegates by default are enough for cpu, memory and pids limits.
    const ok = await asUser(NO_IO, dir, [
      'exec',
      '--limit',
      'memory.max=32MiB',
      '--limit',
      'pids.max=8',
      '--',
      'true',
    ]);
    expect(ok.exitCode, ok.stderr).toBe(0);
  });

  test('no delegated subtree: refused, naming the file that needs root; nothing is created', async () => {
    const dir = userDir('nodeleg');
    const before = children(CG);
    const r = await asUser(CG, dir, ['exec', '--', 'true']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/cannot create cgroups in \/sys\/fs\/cgroup as uid 65534: it is not delegated/);
    expect(children(CG)).toEqual(before);
  });

  afterAll(() => {
    if (missing) return;
    rmSync(work, { recursive: true, force: true });
    for (const d of [FULL, NO_IO, NO_IO_PARENT]) rmdirSync(d);
    for (const c of enabledByTest.reverse()) writeFileSync(join(CG, 'cgroup.subtree_control'), `-${c}`);
    expect(leftoverCgroups()).toEqual([]);
  });
});
