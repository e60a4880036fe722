/**
 * `isobench cleanup`: finds and removes what a run that died (SIGKILL, power loss) left behind:
 * cgroups named `isobench-*` in every hierarchy, the processes in them, temp dirs and supervisor
 * leaves listed in state files. Cgroups of a run whose owner is still alive are left alone.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectCgroups, parseMountInfo } from './cgroup/detect.js';
import { rmdirRetry } from './cgroup/fsio.js';
import { destroyDirs, pidsIn } from './cgroup/teardown.js';
import { formatError, IsobenchError } from './errors.js';
import { runtimeLeftovers } from './runtime/state.js';
import { isOwnerAlive, type RunState, readStates } from './teardown/registry.js';

export interface Leftover {
  runId: string;
  id: string;
  dirs: string[];
  pids: number[];
}

/** `isobench-<run>-<container>`, `isobench-<run>--supervisor` (v2 leaf), `isobench-<run>--loadgen`. */
const ID_RE = /^isobench-([a-z0-9]+)-(-supervisor|-loadgen|[a-z0-9][a-z0-9_-]*)$/;

/** Every directory named isobench-* in every cgroup mount, grouped by cgroup id. */
export function scanCgroups(): Map<string, string[]> {
  const mounts = parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter(
    (m) => m.fsType === 'cgroup' || m.fsType === 'cgroup2',
  );
  const found = new Map<string, string[]>();
  const walk = (dir: string, depth: number) => {
    if (depth > 32) return;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e);
      try {
        if (!statSync(p).isDirectory()) continue;
      } catch {
        continue;
      }
      if (ID_RE.test(e)) found.set(e, [...(found.get(e) ?? []), p]);
      walk(p, depth + 1);
    }
  };
  for (const m of new Set(mounts.map((m) => m.mountPoint))) walk(m, 0);
  return found;
}

export async function findLeftovers(
  opts: { force?: boolean } = {},
): Promise<{ leftovers: Leftover[]; liveRuns: string[]; staleStates: string[]; runtimeDirs: string[] }> {
  const states = readStates();
  const live = new Set(states.filter((s) => isOwnerAlive(s.state)).map((s) => s.state.runId));
  const leftovers: Leftover[] = [];
  for (const [id, dirs] of scanCgroups()) {
    const runId = ID_RE.exec(id)?.[1] as string;
    if (live.has(runId) && !opts.force) continue;
    const pids = [...new Set((await Promise.all(dirs.map(pidsIn))).flat())];
    leftovers.push({ runId, id, dirs, pids });
  }
  const staleStates = states.filter((s) => !live.has(s.state.runId) || opts.force).map((s) => s.file);
  const runtimeDirs = runtimeLeftovers(ID_RE, live, opts.force === true).map((r) => r.dir);
  return { leftovers, liveRuns: [...live], staleStates, runtimeDirs };
}

export async function cleanupMain(opts: {
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}): Promise<number> {
  detectCgroups(); // fails early with a clear message when /proc or cgroups are missing
  const { leftovers, liveRuns, staleStates, runtimeDirs } = await findLeftovers(opts);
  // A runtime's state dir (lxc -P, runc --root, its bundle) goes with the run's temp dirs.
  const listed = staleStates.flatMap((f) => {
    try {
      return (JSON.parse(readFileSync(f, 'utf8')).tempDirs as string[]).filter((d) => existsSync(d));
    } catch {
      return [];
    }
  });
  const tempDirs = [...listed, ...runtimeDirs];
  const out = (s: string) => process.stdout.write(`${s}\n`);
  if (opts.json) out(JSON.stringify({ dryRun: !!opts.dryRun, leftovers, tempDirs, liveRuns }));
  else {
    if (leftovers.length === 0 && tempDirs.length === 0) out('isobench cleanup: nothing left behind');
    for (const l of leftovers)
      out(
        `${opts.dryRun ? 'would remove' : 'removing'} cgroup ${l.id} (${l.dirs.length} dirs, ${l.pids.length} processes${l.pids.length ? `: ${l.pids.slice(0, 10).join(' ')}` : ''})`,
      );
    for (const d of tempDirs) out(`${opts.dryRun ? 'would remove' : 'removing'} temp dir ${d}`);
    if (liveRuns.length)
      out(`left alone: runs still alive: ${liveRuns.join(', ')} (use --force to remove them too)`);
  }
  if (opts.dryRun) return 0;
  let failed = 0;
  // Supervisor leaves last: on cgroup v2 the outer process of a container's isobench-init stays in
  // the cgroup isobench ran in (it forks init into the container's, init.c), and it leaves only once
  // its container has been killed.
  const ordered = [
    ...leftovers.filter((l) => !l.id.endsWith('--supervisor')),
    ...leftovers.filter((l) => l.id.endsWith('--supervisor')),
  ];
  for (const l of ordered) {
    try {
      if (l.id.endsWith('--supervisor')) for (const d of l.dirs) await rmdirRetry(d);
      else await destroyDirs(l.dirs);
    } catch (err) {
      failed++;
      process.stderr.write(
        err instanceof IsobenchError
          ? formatError(err, 'isobench cleanup')
          : `isobench cleanup: ${(err as Error).message}\n`,
      );
    }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  // v2: controllers a dead run enabled in its parent (only where nothing below still uses them).
  for (const f of staleStates) {
    try {
      const state = JSON.parse(readFileSync(f, 'utf8')) as RunState;
      for (const e of state.enabledControllers ?? []) {
        for (const c of [...e.controllers].reverse()) await writeFile(e.file, `-${c}`).catch(() => {});
      }
    } catch {
      /* unreadable state: nothing more to undo */
    }
  }
  if (failed === 0) for (const f of staleStates) rmSync(f, { force: true });
  return failed === 0 ? 0 : 1;
}
