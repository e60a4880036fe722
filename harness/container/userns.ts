/**
 * Rootless containers: the user namespace isobench-init makes when isobench does not run as root
 * (user_namespaces(7)). The user is uid 0 (and its group gid 0) inside; with a subordinate range
 * in /etc/subuid and /etc/subgid (and the setuid helpers newuidmap/newgidmap, Debian's `uidmap`)
 * ids 1..N inside are that range, so that a workload can switch to another user (PostgreSQL's
 * server refuses to run as root); without one, only the user's own id is mapped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { HostError } from '../errors.js';

/** One line of a uid_map/gid_map: ids [inside, inside + count) are [outside, outside + count) on the host. */
export interface IdRange {
  inside: number;
  outside: number;
  count: number;
}

export interface IdMapping {
  uid: IdRange[];
  gid: IdRange[];
  /** newuidmap and newgidmap, when subordinate ranges are mapped (only they may write those maps). */
  helpers: { newuidmap: string; newgidmap: string } | null;
}

export function isRootless(): boolean {
  return process.geteuid?.() !== 0;
}

/** The first range of /etc/subuid or /etc/subgid (`name-or-id:start:count` lines) for this user. */
export function subordinateRange(
  text: string,
  name: string | null,
  id: number,
): { start: number; count: number } | null {
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if (owner === undefined || start === undefined || count === undefined) continue;
    if (owner !== String(id) && owner !== name) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isSafeInteger(s) && Number.isSafeInteger(c) && c > 0) return { start: s, count: c };
  }
  return null;
}

function readOptional(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function findHelper(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/bin', '/sbin'];
  return dirs.map((d) => join(d, name)).find((p) => p.startsWith('/') && existsSync(p)) ?? null;
}

function userName(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null; // a uid without a passwd entry
  }
}

export interface MappingPlan {
  mapping: IdMapping;
  /** Why only the user's own id is mapped, or null when subordinate ranges are. */
  singleBecause: string | null;
}

/** What this user gets: its subordinate ranges where /etc/subuid, /etc/subgid and the helpers allow, else its own id. */
export function planIdMapping(etc = '/etc'): MappingPlan {
  const uid = process.geteuid?.() ?? 0;
  const gid = process.getegid?.() ?? 0;
  const name = userName();
  const own = { uid: [{ inside: 0, outside: uid, count: 1 }], gid: [{ inside: 0, outside: gid, count: 1 }] };
  const subU = subordinateRange(readOptional(join(etc, 'subuid')), name, uid);
  const subG = subordinateRange(readOptional(join(etc, 'subgid')), name, uid);
  const newuidmap = findHelper('newuidmap');
  const newgidmap = findHelper('newgidmap');
  const who = name ?? `uid ${uid}`;
  let singleBecause: string | null = null;
  if (!subU || !subG)
    singleBecause = `${who} has no range in ${join(etc, subU ? 'subgid' : 'subuid')} (as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${who})`;
  else if (!newuidmap || !newgidmap)
    singleBecause = 'newuidmap/newgidmap are not installed (Debian, Ubuntu: apt-get install uidmap)';
  else if (name === null)
    singleBecause = `uid ${uid} has no entry in the user database, which newuidmap needs to check /etc/subuid`;
  if (singleBecause || !subU || !subG || !newuidmap || !newgidmap)
    return { mapping: { ...own, helpers: null }, singleBecause };
  return {
    mapping: {
      uid: [...own.uid, { inside: 1, outside: subU.start, count: subU.count }],
      gid: [...own.gid, { inside: 1, outside: subG.start, count: subG.count }],
      helpers: { newuidmap, newgidmap },
    },
    singleBecause: null,
  };
}

/**
 * Refuses, before anything is created, what a rootless run cannot do here: user namespaces that
 * the kernel does not allow, or a container that needs more ids than the user's own (`needsIds`:
 * who and why) without a subordinate range.
 */
export function checkRootless(needsIds: string[] = [], proc = '/proc'): void {
  const sysctl = (name: string) => readOptional(join(proc, 'sys', name)).trim();
  const blocked: [string, string, string][] = [
    ['user/max_user_namespaces', '0', 'sysctl user.max_user_namespaces is 0'],
    [
      'kernel/unprivileged_userns_clone',
      '0',
      'sysctl kernel.unprivileged_userns_clone is 0 (Debian before 11)',
    ],
    [
      'kernel/apparmor_restrict_unprivileged_userns',
      '1',
      'sysctl kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10 and later)',
    ],
  ];
  for (const [file, value, why] of blocked) {
    if (sysctl(file) === value)
      throw new HostError(
        'ISOBENCH_NO_USERNS',
        `without root, containers need a user namespace, and this host does not let ordinary users create one: ${why}. Run as root, or ask the administrator to allow user namespaces`,
      );
  }
  if (needsIds.length === 0) return;
  const plan = planIdMapping();
  if (plan.singleBecause)
    throw new HostError(
      'ISOBENCH_NO_SUBUID',
      `${needsIds.join('; ')}: without root that needs subordinate ids in the container's user namespace, but ${plan.singleBecause}. Or run as root`,
    );
}

/** The maps as /proc/PID/uid_map shows them (`inside outside count`), for the record. */
export function describeMapping(m: IdMapping): { uidMap: string[]; gidMap: string[] } {
  const lines = (r: IdRange[]) => r.map((x) => `${x.inside} ${x.outside} ${x.count}`);
  return { uidMap: lines(m.uid), gidMap: lines(m.gid) };
}
