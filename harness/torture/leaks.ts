/**
 * What a torture run left on the host, counted only for what the torture itself created (other
 * engineers' runs live on the same host): cgroups, processes and registry files by the run ids
 * its isobench processes registered, mounts, temp dirs and processes by the torture's own root
 * folder. Network namespaces: a container's is anonymous (unshare) and lives only as long as a
 * process or a bind mount holds it, so it is counted through those.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { scanCgroups } from '../cleanup.js';
import { stateDir } from '../teardown/registry.js';

export interface Leaks {
  cgroups: number;
  processes: number;
  mounts: number;
  netns: number;
  tempDirs: number;
  registryFiles: number;
}

export const NO_LEAKS: Leaks = {
  cgroups: 0,
  processes: 0,
  mounts: 0,
  netns: 0,
  tempDirs: 0,
  registryFiles: 0,
};

export function addLeaks(a: Leaks, b: Leaks): Leaks {
  return {
    cgroups: a.cgroups + b.cgroups,
    processes: a.processes + b.processes,
    mounts: a.mounts + b.mounts,
    netns: a.netns + b.netns,
    tempDirs: a.tempDirs + b.tempDirs,
    registryFiles: a.registryFiles + b.registryFiles,
  };
}

export const totalLeaks = (l: Leaks) => Object.values(l).reduce((a, b) => a + b, 0);

const read = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** Host pids whose cgroup names one of `runIds`, or whose command line names `root`. */
export function leakedPids(runIds: readonly string[], root: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    const cg = read(`/proc/${e}/cgroup`);
    const cmd = read(`/proc/${e}/cmdline`).replaceAll('\0', ' ');
    // A kernel thread or a process that just exited reads as empty.
    if (runIds.some((id) => cg.includes(`/isobench-${id}-`)) || cmd.includes(root)) out.push(Number(e));
  }
  return out;
}

/**
 * Leaked pids once the kernel and PID 1 are done with the dead: a process SIGKILLed by cleanup
 * (cgroup.kill) stays a zombie until its new parent, PID 1, reaps it, a few ms later. Waits up to
 * 3 s for the list to empty; what is left then is a leak.
 */
async function settledPids(runIds: readonly string[], root: string): Promise<number[]> {
  let pids = leakedPids(runIds, root);
  for (let i = 0; i < 60 && pids.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    pids = leakedPids(runIds, root);
  }
  return pids;
}

function netnsOf(pid: number | 'self'): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

/**
 * Leaks of the runs `runIds` whose results folders are `outDirs`, all under `root` (the torture's
 * own folder): counted after the run ended (and, for kills, after `isobench cleanup`).
 */
export async function countLeaks(
  runIds: readonly string[],
  outDirs: readonly string[],
  root: string,
): Promise<Leaks> {
  const prefixes = runIds.map((id) => `isobench-${id}-`);
  let cgroups = 0;
  for (const [id, dirs] of scanCgroups())
    if (prefixes.some((p) => id.startsWith(p))) cgroups += dirs.filter((d) => existsSync(d)).length;
  const pids = await settledPids(runIds, root);
  const hostNet = netnsOf('self');
  const nets = new Set(pids.map(netnsOf).filter((n) => n !== null && n !== hostNet));
  const mountLines = read('/proc/self/mountinfo').split('\n');
  // The torture's own tmpfs mounts (source isobench-torture, hostile.ts) are not the run's.
  const ours = (line: string) =>
    !line.includes(' - tmpfs isobench-torture ') &&
    (line.includes(`${root}/`) || prefixes.some((p) => line.includes(p)));
  const mounts = mountLines.filter((l) => ours(l) && !l.includes(' - nsfs ')).length;
  const nsfs = mountLines.filter((l) => ours(l) && l.includes(' - nsfs ')).length;
  const tempDirs = outDirs.filter((d) => existsSync(join(d, 'work'))).length;
  const registryFiles = runIds.filter((id) => existsSync(join(stateDir(), `${id}.json`))).length;
  return { cgroups, processes: pids.length, mounts, netns: nets.size + nsfs, tempDirs, registryFiles };
}
