/** Opens the cgroup driver for this host. */
import { accessSync, constants } from 'node:fs';
import { HostError } from '../errors.js';
import type { Registry } from '../teardown/registry.js';
import { checkDelegation } from './delegation.js';
import { detectCgroups, dirOf, type HostCgroups } from './detect.js';
import type { CgroupDriver } from './driver.js';
import { V1Driver } from './v1.js';
import { V2Driver } from './v2.js';

export interface OpenOptions {
  /** A cgroup path (inside every hierarchy) to create containers below, instead of isobench's own. */
  parent?: string;
  host?: HostCgroups;
}

export function openDriver(registry: Registry, opts: OpenOptions = {}): CgroupDriver {
  const host = opts.host ?? detectCgroups();
  const parent = opts.parent ? normalizeParent(opts.parent, host) : undefined;
  // Writable parent = root, or a subtree delegated to this user (chowned, as systemd's Delegate=yes does).
  const probe = host.mode === 'v2' ? host.unified : (Object.values(host.v1)[0] ?? null);
  if (!probe)
    throw new HostError(
      'ISOBENCH_NO_CGROUPS',
      'no cgroup hierarchy is mounted (looked in /proc/self/mountinfo)',
    );
  // Without root: a delegated cgroup v2 subtree, or a refusal that names what needs root.
  if (process.geteuid?.() !== 0) checkDelegation(host, parent ?? probe.ownPath);
  const dir = dirOf(probe, parent ?? probe.ownPath);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new HostError(
      'ISOBENCH_NOT_PERMITTED',
      `cannot create cgroups in ${dir}: run as root, or in a delegated cgroup v2 subtree (systemd-run --user --scope -p Delegate=yes isobench ...) or pass --cgroup-parent with a writable cgroup`,
    );
  }
  return host.mode === 'v2'
    ? new V2Driver(host.unified as NonNullable<typeof host.unified>, registry, parent)
    : new V1Driver(host, registry, parent);
}

/** `--cgroup-parent` as a path inside the hierarchy: `/sys/fs/cgroup/a/b` and `a/b` both become `/a/b`. */
export function normalizeParent(p: string, host: HostCgroups): string {
  let path = p;
  const mounts = [host.unified?.mountPoint, ...Object.values(host.v1).map((h) => h.mountPoint)].filter(
    Boolean,
  ) as string[];
  for (const m of mounts.sort((a, b) => b.length - a.length)) {
    if (path === m || path.startsWith(`${m}/`)) {
      path = path.slice(m.length);
      break;
    }
  }
  if (!path.startsWith('/')) path = `/${path}`;
  return path.replace(/\/+$/, '') || '/';
}
