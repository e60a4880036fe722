/**
 * The container's namespaces, seen from inside: each of pid, mnt, uts, ipc, net and cgroup is
 * another namespace than isobench's own (its /proc/self/ns link differs); the command is pid 2
 * under isobench-init and /proc lists only the container's own processes (a private /proc);
 * the hostname is the container's name; the network has only `lo`, and it is up; the cgroup
 * namespace roots every hierarchy at the container's cgroup (`/` in /proc/self/cgroup).
 */
import { readlinkSync } from 'node:fs';
import { within } from '../timers.js';
import { inScope } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge } from './verdict.js';

export const NAMESPACES = ['pid', 'mnt', 'uts', 'ipc', 'net', 'cgroup'] as const;
export type Namespace = (typeof NAMESPACES)[number];
/** A new pid namespace numbers from 1: the script's few processes all have small pids. */
export const MAX_INNER_PID = 64;
const NAME = 'doctor-ns';

const SCRIPT = [
  `for n in ${NAMESPACES.join(' ')}; do echo "ns $n $(readlink /proc/self/ns/$n)"; done`,
  'echo "self $$"',
  'echo "hostname $(hostname)"',
  'echo "procs $(ls /proc | grep "^[0-9]" | tr "\\n" " ")"',
  'while read -r line; do echo "cgroup $line"; done < /proc/self/cgroup',
  'tail -n +3 /proc/net/dev | cut -d: -f1 | while read -r i; do echo "if $i"; done',
  'ip -o link show lo | grep -q "[<,]UP[,>]" && echo "lo up"',
  'true',
].join('\n');

export interface NamespacesMeasured {
  host: Record<Namespace, string | null>;
  /** Lines the script printed. */
  lines: string[];
  exitCode: number | null;
}

export interface NamespacesParsed {
  inside: Partial<Record<Namespace, string>>;
  selfPid: number | null;
  hostname: string | null;
  procPids: number[];
  cgroupPaths: string[];
  interfaces: string[];
  loUp: boolean;
}

export function parseNamespaceLines(lines: readonly string[]): NamespacesParsed {
  const p: NamespacesParsed = {
    inside: {},
    selfPid: null,
    hostname: null,
    procPids: [],
    cgroupPaths: [],
    interfaces: [],
    loUp: false,
  };
  for (const line of lines) {
    const [key, ...rest] = line.trim().split(' ');
    const value = rest.join(' ');
    if (key === 'ns' && rest.length === 2) p.inside[rest[0] as Namespace] = rest[1] as string;
    else if (key === 'self') p.selfPid = Number(value);
    else if (key === 'hostname') p.hostname = value;
    else if (key === 'procs') p.procPids = value.split(/\s+/).filter(Boolean).map(Number);
    // `0::/` (v2) or `4:memory:/` (v1): the path is everything after the second colon.
    else if (key === 'cgroup') p.cgroupPaths.push(value.split(':').slice(2).join(':'));
    else if (key === 'if') p.interfaces.push(value);
    else if (line.trim() === 'lo up') p.loUp = true;
  }
  return p;
}

export function evaluateNamespaces(m: NamespacesMeasured, name = NAME): Verdict {
  const p = parseNamespaceLines(m.lines);
  const fresh = NAMESPACES.filter((n) => p.inside[n] !== undefined && p.inside[n] !== m.host[n]);
  const shared = NAMESPACES.filter((n) => !fresh.includes(n));
  const maxPid = Math.max(0, ...p.procPids);
  return judge(
    [
      { ok: m.exitCode === 0, what: `the script exited ${m.exitCode}` },
      {
        ok: shared.length === 0,
        what: shared.length ? `not new: ${shared.join(', ')}` : `new ${fresh.join(', ')} namespaces`,
      },
      { ok: p.selfPid === 2, what: `the command is pid ${p.selfPid} (init is 1)` },
      {
        ok: p.procPids.length > 0 && maxPid <= MAX_INNER_PID,
        what: `/proc lists ${p.procPids.length} processes, pids up to ${maxPid} (private /proc)`,
      },
      { ok: p.hostname === name, what: `hostname ${p.hostname}` },
      {
        ok: p.interfaces.length === 1 && p.interfaces[0] === 'lo' && p.loUp,
        what: `interfaces ${p.interfaces.join(', ') || 'none'}${p.loUp ? ', lo up' : ', lo down'}`,
      },
      {
        ok: p.cgroupPaths.length > 0 && p.cgroupPaths.every((c) => c === '/'),
        what: `/proc/self/cgroup paths ${[...new Set(p.cgroupPaths)].join(' ') || 'none'}`,
      },
    ],
    {
      expected: 'new pid, mount (private /proc), uts, ipc, net (only lo, up) and cgroup namespaces',
      measured: `${fresh.length} of ${NAMESPACES.length} new (${fresh.join(', ')}); pid ${p.selfPid}; ${p.procPids.length} processes in /proc; hostname ${p.hostname}; interfaces ${p.interfaces.join(', ') || 'none'}${p.loUp ? ' (lo up)' : ''}; cgroup root ${[...new Set(p.cgroupPaths)].join(' ')}`,
      tolerance: null,
      figures: {
        newNamespaces: fresh.length,
        selfPid: p.selfPid,
        procs: p.procPids.length,
        interfaces: p.interfaces.join(','),
      },
    },
  );
}

function hostNamespaces(): Record<Namespace, string | null> {
  const out = {} as Record<Namespace, string | null>;
  for (const n of NAMESPACES) {
    try {
      out[n] = readlinkSync(`/proc/self/ns/${n}`);
    } catch {
      out[n] = null;
    }
  }
  return out;
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  return inScope(ctx, async (s) => {
    const box = await s.start(NAME, {}, ['sh', '-c', SCRIPT]);
    const exit = await box.container.exited;
    await within(box.closed, 10_000, undefined);
    return evaluateNamespaces({
      host: hostNamespaces(),
      lines: box.stdout().split('\n').filter(Boolean),
      exitCode: exit.exitCode,
    });
  });
}
