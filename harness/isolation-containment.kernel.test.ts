/**
 * Containment on the real kernel: what a contained container cannot do (write the host's files,
 * see host processes, load modules, change sysctls, leave its cgroup), each asserted on what the
 * kernel answered inside (exit codes, errno messages) and on the host's files read back after;
 * and `--privileged`, which keeps isobench's old behaviour and says so in the result. Runs on this
 * host and in the cgroup v2 VM (vitest.v2.config.ts takes harness/isolation*.kernel.test.ts).
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect } from 'vitest';
import { scanCgroups } from './cleanup.js';
import { capabilityMask } from './container/capabilities.js';
import { initBinary } from './container/spawn.js';
import { expectGone } from './testing/kernel.js';
import { kernelEnv } from './testing/known-answers.js';
import { execJson, leftoverCgroups, newCgroupsNamed, ROOT } from './testing/support.js';

const { missing, mode, test } = kernelEnv();

/** The status lines of /proc/self/status that say what a process may do, as a record. */
function privilegeLines(text: string): Record<string, string> {
  const want = /^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):\s*(\S+)$/;
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => want.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
}

// Each test's data dir (--io-path): the one host directory a contained container may write.
let dataDir = '';
function newDataDir(): string {
  dataDir = mkdtempSync(join(tmpdir(), 'isobench-contain-'));
  return dataDir;
}

/** `isobench exec` of a shell script in a contained container whose data dir is `dir`. */
function contained(name: string, dir: string, script: string, env?: Record<string, string>) {
  return execJson(['--name', name, '--io-path', dir], ['sh', '-c', script], env ? { env } : {});
}

describe(`containment (${mode})`, () => {
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = '';
  });

  test('the host root is read-only (EROFS, nothing written); the data dir is writable; /tmp is private', async () => {
    const dir = newDataDir();
    const mark = `isobench-contain-${process.pid}`;
    // /root is the example; the worktree is where isobench itself was started.
    const script = [
      `touch /root/${mark}; echo root=$?`,
      `touch ${ROOT}/${mark}; echo worktree=$?`,
      'echo data > out; echo data=$?',
      `echo tmp > /tmp/${mark}; echo tmp=$?`,
      'pwd',
    ].join('; ');
    const { proc, json } = await contained('rofs', dir, script);
    expect(proc.exitCode, proc.stderr).toBe(0);
    expect(proc.stdout.split('\n')).toEqual(['root=1', 'worktree=1', 'data=0', 'tmp=0', dir]);
    expect(proc.stderr).toMatch(new RegExp(`/root/${mark}'?: Read-only file system`));
    expect(existsSync(join('/root', mark))).toBe(false);
    expect(existsSync(join(ROOT, mark))).toBe(false);
    // The data dir is the host's directory itself (bound read-write), not a copy.
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('data\n');
    // /tmp inside is a tmpfs of its own: the file written there is nowhere on the host.
    expect(existsSync(join('/tmp', mark))).toBe(false);
    expect(json).toMatchObject({ privileged: false, containment: { dataDir: dir, capabilities: [] } });
    expectGone(json?.cgroup.dirs);
  });

  test('a dir the private /tmp hides (isobench installed under /tmp) is seen again read-only with --visible', () => {
    const dir = newDataDir();
    writeFileSync(join(dir, 'f'), 'hello\n');
    const script = `cat ${dir}/f; echo cat=$?; touch ${dir}/g; echo touch=$?`;
    const run = (extra: string[]) =>
      execFileSync(initBinary(), ['--hostname', 'visible', ...extra, '--', 'sh', '-c', script], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).split('\n');
    // Without it, the host's /tmp is not there at all inside.
    expect(run([]).slice(0, 2)).toEqual(['cat=1', 'touch=1']);
    // With it: the host's directory, readable, and still read-only.
    expect(run(['--visible', dir]).slice(0, 3)).toEqual(['hello', 'cat=0', 'touch=1']);
    expect(existsSync(join(dir, 'g'))).toBe(false);
  });

  test('before Linux 5.12 (one read-only remount per mount): the same read-only host, writable data dir', async () => {
    const dir = newDataDir();
    const mark = `isobench-legacy-${process.pid}`;
    // isobench-init takes the pre-mount_setattr(2) path on any kernel when told to.
    const script = [
      `touch /root/${mark}; echo root=$?`,
      `touch ${ROOT}/${mark}; echo worktree=$?`,
      'echo data > out; echo data=$?',
      `echo tmp > /tmp/${mark}; echo tmp=$?`,
    ].join('; ');
    const { proc } = await contained('legacy', dir, script, { ISOBENCH_INIT_LEGACY_MOUNTS: '1' });
    expect(proc.exitCode, proc.stderr).toBe(0);
    expect(proc.stdout.split('\n')).toEqual(['root=1', 'worktree=1', 'data=0', 'tmp=0']);
    expect(proc.stderr).toMatch(new RegExp(`/root/${mark}'?: Read-only file system`));
    expect(proc.stderr).toMatch(new RegExp(`${ROOT}/${mark}'?: Read-only file system`));
    expect(existsSync(join('/root', mark))).toBe(false);
    expect(existsSync(join(ROOT, mark))).toBe(false);
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('data\n');
    expect(existsSync(join('/tmp', mark))).toBe(false);
  });

  test('no host processes: /proc holds only the container, a host pid cannot be signalled (ESRCH)', async () => {
    const dir = newDataDir();
    const host = process.pid;
    const script = `ls /proc | grep -c '^[0-9]'; test -e /proc/${host} && echo seen || echo unseen; kill -0 ${host}; echo kill=$?`;
    const { proc } = await contained('procs', dir, script);
    const [count, seen, kill] = proc.stdout.split('\n');
    // init, sh, ls, grep: none of the host's hundreds.
    expect(Number(count)).toBeLessThanOrEqual(5);
    expect(seen).toBe('unseen');
    expect(kill).toMatch(/^kill=[1-9]\d*$/);
    expect(proc.stderr).toMatch(/No such process/);
  });

  test('no capabilities and no_new_privs: every set 0, loading a module is refused (EPERM, or ENOSYS without module support)', async () => {
    const dir = newDataDir();
    // Not a module: finit_module(2) checks CAP_SYS_MODULE before it reads a byte of the file.
    writeFileSync(join(dir, 'm.ko'), 'not a module\n');
    const script = `grep -E '^(Cap|NoNewPrivs)' /proc/self/status; /usr/sbin/insmod ${dir}/m.ko; echo insmod=$?`;
    const { proc } = await contained('caps', dir, script);
    const lines = privilegeLines(proc.stdout);
    const none = capabilityMask([]);
    expect(lines).toEqual({
      CapInh: none,
      CapPrm: none,
      CapEff: none,
      CapBnd: none,
      CapAmb: none,
      NoNewPrivs: '1',
    });
    expect(proc.stdout).toMatch(/^insmod=1$/m);
    // A kernel built without module support (no /proc/modules: this host's) answers ENOSYS to
    // everyone, root included; the VM's Debian kernel has it, and answers EPERM.
    const refusal = existsSync('/proc/modules') ? 'Operation not permitted' : 'Function not implemented';
    expect(proc.stderr).toMatch(new RegExp(`could not insert module .*m\\.ko: ${refusal}`));
  });

  test('sysctls cannot be changed: /proc/sys is read-only (EROFS) and cannot be remounted (EPERM)', async () => {
    const dir = newDataDir();
    const file = '/proc/sys/vm/swappiness';
    const before = readFileSync(file, 'utf8');
    // The value it already has: had the write gone through, the host would not have changed.
    const script = [
      `v=$(cat ${file}); echo "$v" > ${file}; echo write=$?`,
      'mount -o remount,bind,rw /proc/sys; echo remount=$?',
      `echo "$v" > ${file}; echo again=$?`,
    ].join('; ');
    const { proc } = await contained('sysctl', dir, script);
    expect(proc.stdout).toMatch(/^write=[1-9]\d*$/m);
    expect(proc.stdout).toMatch(/^remount=[1-9]\d*$/m);
    expect(proc.stdout).toMatch(/^again=[1-9]\d*$/m);
    expect(proc.stderr).toMatch(/swappiness: Read-only file system/);
    expect(proc.stderr).toMatch(/mount: .*permission denied/i);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  test("no escape from its cgroup: writing a parent's cgroup.procs is refused and it stays at its root", async () => {
    const dir = newDataDir();
    const fifo = join(dir, 'go');
    execFileSync('mkfifo', [fifo]);
    // The container learns its parents' paths (host paths, as the test sees them) through the FIFO,
    // once its cgroups exist; then tries to move itself into each, and shows where it is.
    const script = `read parents < go; for p in $parents; do echo $$ > "$p/cgroup.procs"; echo "rc=$?"; done; cat /proc/self/cgroup`;
    const before = new Set(scanCgroups().keys());
    const run = contained('escape', dir, script);
    const fd = await open(fifo, 'w'); // returns once the container has opened it for reading
    const found = [...newCgroupsNamed(before, /-escape$/).values()];
    expect(found).toHaveLength(1);
    const parents = (found[0] ?? []).map((d) => dirname(d));
    await fd.write(`${parents.join(' ')}\n`);
    await fd.close();
    const { proc, json } = await run;
    expect(proc.exitCode, proc.stderr).toBe(0);
    const out = proc.stdout.split('\n');
    const codes = out.filter((l) => l.startsWith('rc='));
    expect(codes).toHaveLength(parents.length);
    for (const c of codes) expect(c).toMatch(/^rc=[1-9]\d*$/);
    expect(proc.stderr).toMatch(/cgroup\.procs: Read-only file system/);
    // In its cgroup namespace every hierarchy's path is "/": had it moved up, it would read "/..".
    const cgroupLines = out.filter((l) => /^\d+:/.test(l));
    expect(cgroupLines.length).toBeGreaterThan(0);
    for (const l of cgroupLines) expect(l).toMatch(/:\/$/);
    expectGone(json?.cgroup.dirs);
  });

  test('--privileged keeps the old behaviour: the host root writable, every capability; recorded', async () => {
    const dir = newDataDir();
    const mark = `/root/isobench-privileged-${process.pid}`;
    const hostBnd = privilegeLines(readFileSync('/proc/self/status', 'utf8')).CapBnd;
    try {
      const { proc, json } = await execJson(
        ['--name', 'priv', '--io-path', dir, '--privileged'],
        ['sh', '-c', `touch ${mark}; echo touch=$?; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status`],
      );
      expect(proc.exitCode, proc.stderr).toBe(0);
      expect(proc.stdout).toMatch(/^touch=0$/m);
      expect(existsSync(mark)).toBe(true);
      expect(privilegeLines(proc.stdout)).toEqual({ CapEff: hostBnd, NoNewPrivs: '0' });
      expect(json).toMatchObject({ privileged: true, containment: null });
    } finally {
      rmSync(mark, { force: true });
    }
  });

  afterAll(() => {
    if (!missing) expect(leftoverCgroups()).toEqual([]);
  });
});
