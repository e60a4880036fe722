/**
 * Kill-and-remove for one container's cgroup directories, shared by the drivers, the teardown
 * registry and `isobench cleanup` (which only has directories found by name, not a driver).
 *
 * Order (runc signalAllProcesses / RemovePath, crun destroy_cgroup_path):
 * 1. lift io throttling, so that processes stuck in throttled IO (D state) can die promptly: an fsync
 *    draining dirty pages at a low blkio limit was seen here to stall for 77-106 s;
 * 2. `cgroup.kill` where a cgroup2 directory exists (v2, or the unified tree on hybrid hosts);
 *    else freeze (v1 freezer), SIGKILL every member, thaw; else SIGKILL every member;
 * 3. wait, bounded, until every directory is empty, killing again meanwhile;
 * 4. rmdir deepest first, retrying EBUSY; ENOENT counts as done.
 */
import { type Dirent, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError, errnoOf } from '../errors.js';
import { readOptional, rmdirRetry, sleep } from './fsio.js';

/**
 * The processes in a cgroup directory. A threaded cgroup (v2: crun makes its payload cgroup one
 * when the kernel refuses to enable a controller) refuses to list cgroup.procs (EOPNOTSUPP): its
 * threads are read instead, and a signal to a thread's id reaches its whole process.
 */
export async function pidsIn(dir: string): Promise<number[]> {
  const text =
    (await readOptional(join(dir, 'cgroup.procs'))) ?? (await readOptional(join(dir, 'cgroup.threads')));
  if (!text) return [];
  return [...new Set(text.split('\n').filter(Boolean).map(Number))];
}

async function tryWrite(file: string, value: string): Promise<boolean> {
  try {
    writeFileSync(file, value); // a cgroup file: see writeValue (fsio.ts)
    return true;
  } catch {
    return false;
  }
}

/** Removes every io throttle of the cgroup (v2 io.max, v1 blkio.throttle.*). */
export async function liftIoThrottle(dir: string): Promise<void> {
  const ioMax = await readOptional(join(dir, 'io.max'));
  for (const line of ioMax?.split('\n') ?? []) {
    const dev = line.split(' ')[0];
    if (dev) await tryWrite(join(dir, 'io.max'), `${dev} rbps=max wbps=max riops=max wiops=max`);
  }
  for (const f of ['read_bps_device', 'write_bps_device', 'read_iops_device', 'write_iops_device']) {
    const file = join(dir, `blkio.throttle.${f}`);
    const text = await readOptional(file);
    for (const line of text?.split('\n') ?? []) {
      const dev = line.split(' ')[0];
      if (dev) await tryWrite(file, `${dev} 0`);
    }
  }
}

function killPids(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/**
 * How a cgroup's members were killed: reported so tests can tell which mechanism did it; 'none':
 * nothing was left to kill.
 */
export type KillMethod = 'cgroup.kill' | 'freezer' | 'signal' | 'none';

/**
 * A cgroup directory and which of the files teardown looks for it has, read from its directory
 * entries (kernfs fills d_type): probing each with a stat, and reading cgroup.events from v1
 * directories that have none, cost an exception per miss, on every teardown.
 */
interface Scanned {
  dir: string;
  events: boolean;
  kill: boolean;
  freezer: boolean;
}

async function killOnce(dirs: Scanned[]): Promise<KillMethod> {
  // The topmost first (the list is deepest first): one write there kills the whole subtree,
  // where a child's would leave its parent's processes; and a threaded cgroup refuses cgroup.kill
  // (EOPNOTSUPP) while its threaded domain above it takes it.
  for (const d of [...dirs].reverse())
    if (d.kill && (await tryWrite(join(d.dir, 'cgroup.kill'), '1'))) return 'cgroup.kill';
  const freezer = dirs.find((d) => d.freezer)?.dir;
  if (freezer) {
    // v1 "can't reliably freeze while new processes keep appearing": runc loops on FREEZING.
    await tryWrite(join(freezer, 'freezer.state'), 'FROZEN');
    for (let i = 0; i < 200; i++) {
      const state = await readOptional(join(freezer, 'freezer.state'));
      if (state !== 'FREEZING') break;
      await sleep(5);
    }
    for (const d of dirs) killPids(await pidsIn(d.dir));
    await tryWrite(join(freezer, 'freezer.state'), 'THAWED');
    return 'freezer';
  }
  for (const d of dirs) killPids(await pidsIn(d.dir));
  return 'signal';
}

/** Every directory below and including `dir`, deepest first, with the teardown files each has. */
function scanSubtree(dir: string): Scanned[] {
  const out: Scanned[] = [];
  const walk = (d: string) => {
    // File types come with the directory entries (kernfs fills d_type): a cgroup directory
    // holds dozens of files, and a stat of each made hundreds of syscalls per teardown.
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    const s: Scanned = { dir: d, events: false, kill: false, freezer: false };
    for (const e of entries) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name === 'cgroup.events') s.events = true;
      else if (e.name === 'cgroup.kill') s.kill = true;
      else if (e.name === 'freezer.state') s.freezer = true;
    }
    out.push(s);
  };
  walk(dir);
  return out;
}

/** Every directory below and including `dir`, deepest first. */
export function subtreeDeepestFirst(dir: string): string[] {
  return scanSubtree(dir).map((s) => s.dir);
}

async function populated(dirs: Scanned[]): Promise<boolean> {
  for (const d of dirs) {
    if (d.events) {
      // A directory removed meanwhile (ENOENT) holds nothing.
      if (/^populated 1$/m.test((await readOptional(join(d.dir, 'cgroup.events'))) ?? '')) return true;
      continue;
    }
    if ((await pidsIn(d.dir)).length > 0) return true;
  }
  return false;
}

/** SIGKILLs everything in the directories (and below) and waits until none is populated. */
export async function killAndWait(dirs: string[], timeoutMs = 30_000): Promise<KillMethod> {
  const all = dirs.flatMap((d) => scanSubtree(d));
  // Nothing left to die (after a container's init has exited, as at the end of every trial and
  // `isobench exec --json`): no io throttles to lift (five reads per directory), no kill to write
  // and no second look.
  if (all.length === 0 || !(await populated(all))) return 'none';
  for (const d of all) await liftIoThrottle(d.dir);
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    const method = await killOnce(all);
    if (!(await populated(all))) return method;
    if (Date.now() > deadline) {
      const left = (await Promise.all(all.map((d) => pidsIn(d.dir)))).flat();
      throw new CgroupError(
        'ISOBENCH_KILL_TIMEOUT',
        `processes ${left.join(', ')} in ${dirs.join(', ')} did not die within ${timeoutMs} ms (uninterruptible IO?); run \`isobench cleanup\` later`,
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 100);
  }
}

/**
 * rmdir of each directory, for a cgroup already empty (a container whose init has exited, as at
 * the end of every trial and `isobench exec`): the kernel refuses (EBUSY) a cgroup that still has
 * a process or a child cgroup, so success proves there was nothing to kill, without the subtree
 * walk and the reads and writes of killAndWait. Returns the directories it could not remove.
 */
function removeIfEmpty(dirs: string[]): string[] {
  const left: string[] = [];
  for (const d of dirs) {
    try {
      rmdirSync(d);
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT') left.push(d);
    }
  }
  return left;
}

/** Kills and removes the directories of one cgroup in every hierarchy. */
export async function destroyDirs(givenDirs: string[], timeoutMs = 30_000): Promise<void> {
  const dirs = removeIfEmpty(givenDirs);
  if (dirs.length === 0) return;
  await killAndWait(dirs, timeoutMs);
  for (const d of dirs.flatMap((x) => scanSubtree(x))) {
    await rmdirRetry(d.dir, async () => {
      await killOnce([d]);
    });
  }
}
