/**
 * Limits no workload can live with, refused at validation (exit 2, FILE:LINE:COL) instead of
 * failing every trial one by one after its start-up (issue 16): a memory.max or memory.high below
 * what the workload needs to start, and cpuset CPUs or memory nodes this host does not have (the
 * kernel refuses them with ERANGE / EINVAL when the cgroup is written).
 */
import { readFileSync } from 'node:fs';
import { formatBytes, parseSize } from '../units.js';
import type { DataIssue } from './structure.js';

/**
 * The least memory a container can start in, measured with `isobench exec --limit memory.max=X`
 * on this host (Debian 12, Node 20): `sh -c 'sleep; echo'` was OOM-killed at 256 KiB and ran at
 * 1 MiB; `node -e` was OOM-killed at 4 MiB and ran at 8 MiB. A built-in workload is a Node
 * process that also loads its modules: 16 MiB, twice what a bare node needed.
 */
export const MIN_MEMORY_BYTES = { command: 1024 * 1024, builtin: 16 * 1024 * 1024 } as const;

/** The CPUs and memory nodes of this host, as the cgroup's cpuset files accept them. */
export interface HostFacts {
  cpus: string;
  mems: string;
}

/** The kernel's largest CONFIG_NR_CPUS (and MAX_NUMNODES is far below it). */
const MAX_CPU_ID = 8191;

/** Reads this host's online CPUs and memory nodes; null when /sys is not readable. */
export function readHostFacts(): HostFacts | null {
  try {
    const cpus = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
    let mems = '0';
    try {
      mems = readFileSync('/sys/devices/system/node/online', 'utf8').trim();
    } catch {
      /* no NUMA support compiled in: node 0 only */
    }
    return { cpus, mems };
  } catch {
    return null;
  }
}

/** `0-3,8` -> [[0, 3], [8, 8]] without enumerating (a range may be huge); null if not a list. */
function ranges(text: string): [number, number][] | null {
  const out: [number, number][] = [];
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    out.push([lo, m[2] === undefined ? lo : Number(m[2])]);
  }
  return out;
}

/** Why `asked` is not a subset of `have` (both cpuset lists), or null when it is. */
export function cpuListProblem(asked: string, have: string, what: 'CPU' | 'memory node'): string | null {
  const a = ranges(asked);
  const h = ranges(have);
  if (!a || !h) return null; // the list's syntax is reported by the limit parser
  for (const [lo, hi] of a) {
    if (hi < lo) return `range ${lo}-${hi} runs backwards`;
    if (hi > MAX_CPU_ID) return `${what} ${hi} is beyond any Linux host (at most ${MAX_CPU_ID})`;
    for (let c = lo; c <= hi; c++)
      if (!h.some(([l, u]) => c >= l && c <= u))
        return `${what} ${c} does not exist on this host (online: ${have})`;
  }
  return null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const scalar = (v: unknown): string | null =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : null;

/** Issues of container `name` (raw data) against the floors and, when known, this host. */
export function floorIssues(name: string, c: Obj, host: HostFacts | null): DataIssue[] {
  const issues: DataIssue[] = [];
  const at = (...rest: string[]) => ['containers', name, ...rest];
  const limits = isObj(c.limits) ? c.limits : {};
  const kind = typeof c.workload === 'string' ? 'builtin' : 'command';
  const floor = MIN_MEMORY_BYTES[kind];
  for (const key of ['memory.max', 'memory.high'] as const) {
    const v = scalar(limits[key]);
    if (v === null || v.trim() === 'max') continue;
    let bytes: number;
    try {
      bytes = parseSize(v);
    } catch {
      continue; // the limit parser reports it
    }
    if (bytes < floor)
      issues.push({
        path: at('limits', key),
        at: 'value',
        message: `${JSON.stringify(v)} is below the ${formatBytes(floor)} a ${kind === 'builtin' ? 'built-in workload (a Node process)' : 'command'} needs to start: every trial would fail`,
      });
  }
  if (!host) return issues;
  const cpuset = scalar(c.cpuset) === null ? ['limits', 'cpuset.cpus'] : ['cpuset'];
  const lists: [string[], unknown, string, 'CPU' | 'memory node'][] = [
    [cpuset, cpuset[0] === 'cpuset' ? c.cpuset : limits['cpuset.cpus'], host.cpus, 'CPU'],
    [['limits', 'cpuset.mems'], limits['cpuset.mems'], host.mems, 'memory node'],
  ];
  for (const [path, value, have, what] of lists) {
    const v = scalar(value);
    const problem = v === null ? null : cpuListProblem(v, have, what);
    if (problem) issues.push({ path: at(...path), at: 'value', message: problem });
  }
  return issues;
}
