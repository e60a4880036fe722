/**
 * What isobench may do with cgroups without root: only work inside a cgroup v2 subtree delegated
 * to the user (systemd's CGROUP_DELEGATION.md: Delegate=yes chowns the cgroup directory and its
 * cgroup.procs, cgroup.subtree_control and cgroup.threads to the user; the controller files of the
 * delegated cgroup itself stay root's, so the user limits its children, never itself). Checked
 * before anything is created, so that a run that cannot work names the file that needs root
 * instead of failing half-way.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { HostError } from '../errors.js';
import { dirOf, type HostCgroups } from './detect.js';

const SETUP =
  'run isobench inside a delegated subtree (systemd-run --user --scope -p Delegate=yes ./node_modules/.bin/isobench ..., see the README\'s "Without root"), or as root';

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function owner(path: string): string {
  try {
    return `uid ${statSync(path).uid}`;
  } catch {
    return 'nobody (missing)';
  }
}

/** The deepest cgroup path that contains both (`/a/b/c`, `/a/d` -> `/a`). */
export function commonAncestor(a: string, b: string): string {
  const pa = a.split('/').filter(Boolean);
  const pb = b.split('/').filter(Boolean);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return posix.join('/', ...pa.slice(0, i));
}

/**
 * Refuses (ISOBENCH_NOT_PERMITTED) what an ordinary user cannot do: v1 hierarchies, a parent that
 * is not delegated to it, and moving the container from isobench's own cgroup into a parent that
 * is not below a common ancestor it owns (the kernel wants write access to that ancestor's
 * cgroup.procs for every migration).
 */
export function checkDelegation(host: HostCgroups, parentPath: string): void {
  const uid = process.geteuid?.() ?? 0;
  if (host.mode !== 'v2' || !host.unified) {
    throw new HostError(
      'ISOBENCH_NOT_PERMITTED',
      `cannot create cgroups as uid ${uid} on this ${host.mode} cgroup host: run as root, or in a delegated cgroup v2 subtree on a cgroup v2 host (cgroup v1 controller hierarchies cannot be delegated to a user)`,
    );
  }
  const unified = host.unified;
  const dir = dirOf(unified, parentPath);
  const needed = [dir, join(dir, 'cgroup.procs'), join(dir, 'cgroup.subtree_control')];
  const denied = needed.filter((f) => !writable(f));
  if (denied.length > 0) {
    throw new HostError(
      'ISOBENCH_NOT_PERMITTED',
      `cannot create cgroups in ${dir} as uid ${uid}: it is not delegated to this user (${denied.map((f) => `${f} is owned by ${owner(f)}`).join(', ')}); run as root, or in a delegated cgroup v2 subtree: ${SETUP}`,
    );
  }
  const ancestor = commonAncestor(unified.ownPath, parentPath);
  const procs = join(dirOf(unified, ancestor), 'cgroup.procs');
  if (!writable(procs)) {
    throw new HostError(
      'ISOBENCH_NOT_PERMITTED',
      `isobench runs in cgroup ${unified.ownPath}, outside the parent ${parentPath}: moving a container from one to the other needs write access to their common ancestor's ${procs} (owned by ${owner(procs)}); ${SETUP}`,
    );
  }
}
