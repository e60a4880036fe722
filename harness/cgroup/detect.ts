/**
 * Finds the cgroup hierarchies of this host and the cgroup isobench runs in.
 *
 * Mode (as systemd's CGROUP_DELEGATION.md defines it):
 * - `v2`: /sys/fs/cgroup is a cgroup2 mount (the unified hierarchy, with controllers);
 * - `hybrid`: v1 controller hierarchies plus a cgroup2 mount (usually /sys/fs/cgroup/unified)
 *   that has no controllers but gives cgroup.kill, cgroup.events, cpu.stat and per-cgroup PSI;
 * - `v1`: v1 hierarchies only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

export type CgroupMode = 'v2' | 'hybrid' | 'v1';

/** The v1 controllers isobench creates a cgroup in; other hierarchies (devices, named ones) are left alone. */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'blkio', 'pids', 'freezer'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface Hierarchy {
  /** `unified` for the cgroup2 mount, else the controllers joined as the kernel names the mount (`cpu,cpuacct`). */
  key: string;
  version: 1 | 2;
  controllers: string[];
  mountPoint: string;
  /** The hierarchy path shown at mountPoint (mountinfo's root field), usually `/`. */
  mountRoot: string;
  /** The cgroup this process is in, as a path inside the hierarchy (from /proc/self/cgroup). */
  ownPath: string;
}

export interface HostCgroups {
  mode: CgroupMode;
  unified: Hierarchy | null;
  /** v1 hierarchies isobench uses, keyed by controller (several controllers may share one hierarchy). */
  v1: Partial<Record<V1Controller, Hierarchy>>;
  /** Controllers usable for limits: on v2 those in the own cgroup's cgroup.controllers. */
  controllers: string[];
  /** Whether per-cgroup PSI files can be read (kernel with CONFIG_PSI and psi not disabled). */
  psi: boolean;
  /**
   * The v1 hierarchies isobench leaves alone for its own containers (devices, name=systemd,
   * net_cls ...): a runtime (lxc, runc) makes its cgroups in every hierarchy, so a runtime's
   * container gets a cgroup of isobench's in these too (V1Driver.runtimeLeaf).
   */
  others?: Hierarchy[];
}

interface MountLine {
  mountPoint: string;
  root: string;
  fsType: string;
  superOptions: string[];
}

export function parseMountInfo(text: string): MountLine[] {
  const out: MountLine[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    const unescapeOctal = (s: string) =>
      s.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    out.push({
      root: unescapeOctal(pre[3] ?? '/'),
      mountPoint: unescapeOctal(pre[4] ?? ''),
      fsType: post[0] ?? '',
      superOptions: (post[2] ?? '').split(','),
    });
  }
  return out;
}

/** Parses /proc/<pid>/cgroup: `hierarchy-id:controllers:path` per line; v2 has id 0 and no controllers. */
export function parseProcCgroup(text: string): { v2Path: string | null; v1: Map<string, string> } {
  let v2Path: string | null = null;
  const v1 = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, id, ctrls = '', path = '/'] = m;
    if (id === '0' && ctrls === '') v2Path = path;
    else for (const c of ctrls.split(',')) if (c) v1.set(c, path);
  }
  return { v2Path, v1 };
}

/** The directory of a hierarchy path on this host (handles mounts whose root is not `/`). */
export function dirOf(h: Pick<Hierarchy, 'mountPoint' | 'mountRoot'>, cgroupPath: string): string {
  const rel = posix.relative(h.mountRoot, cgroupPath);
  if (rel.startsWith('..')) {
    // The cgroup is outside what this mount shows (a cgroup namespace or a bind mount of a subtree).
    throw new Error(`cgroup ${cgroupPath} is not visible under ${h.mountPoint} (mount root ${h.mountRoot})`);
  }
  return rel ? join(h.mountPoint, rel) : h.mountPoint;
}

export function detectCgroups(procRoot = '/proc'): HostCgroups {
  const mounts = parseMountInfo(readFileSync(join(procRoot, 'self/mountinfo'), 'utf8'));
  const own = parseProcCgroup(readFileSync(join(procRoot, 'self/cgroup'), 'utf8'));

  let unified: Hierarchy | null = null;
  const v1: Partial<Record<V1Controller, Hierarchy>> = {};
  const others: Hierarchy[] = [];
  for (const m of mounts) {
    if (m.fsType === 'cgroup2' && unified === null) {
      unified = {
        key: 'unified',
        version: 2,
        controllers: [],
        mountPoint: m.mountPoint,
        mountRoot: m.root,
        ownPath: own.v2Path ?? '/',
      };
    } else if (m.fsType === 'cgroup') {
      const ctrls = m.superOptions.filter((o) => (V1_CONTROLLERS as readonly string[]).includes(o));
      if (ctrls.length === 0) {
        // named hierarchies (name=systemd) and devices, net_cls ...: only runtimes' containers use them
        const names = m.superOptions.filter(
          (o) =>
            o.startsWith('name=') ||
            (!/^(rw|ro|relatime|noexec|nosuid|nodev|clone_children|xattr|nsdelegate|memory_recursiveprot|noprefix|cpuset_v2_mode)$/.test(
              o,
            ) &&
              !o.includes('=')),
        );
        const key = names[0];
        if (key && !others.some((o) => o.key === names.join(',')))
          others.push({
            key: names.join(','),
            version: 1,
            controllers: [],
            mountPoint: m.mountPoint,
            mountRoot: m.root,
            ownPath: own.v1.get(key) ?? '/',
          });
        continue;
      }
      const first = ctrls[0] as V1Controller;
      if (v1[first]) continue; // the same hierarchy mounted twice
      const h: Hierarchy = {
        key: ctrls.join(','),
        version: 1,
        controllers: ctrls,
        mountPoint: m.mountPoint,
        mountRoot: m.root,
        ownPath: own.v1.get(first) ?? '/',
      };
      for (const c of ctrls) v1[c as V1Controller] = h;
    }
  }

  const hasV1 = Object.keys(v1).length > 0;
  const mode: CgroupMode = hasV1 ? (unified ? 'hybrid' : 'v1') : 'v2';
  let controllers: string[] = [];
  let psi = false;
  if (unified) {
    const ownDir = safeDir(unified, unified.ownPath);
    if (ownDir) {
      const ctrlFile = join(ownDir, 'cgroup.controllers');
      unified.controllers = existsSync(ctrlFile)
        ? readFileSync(ctrlFile, 'utf8').trim().split(/\s+/).filter(Boolean)
        : [];
      // cpu.pressure is a core file wherever PSI is enabled; the root cgroup has none, so also try /proc.
      psi =
        existsSync(join(ownDir, 'cpu.pressure')) ||
        (unified.ownPath === '/' && existsSync('/proc/pressure/cpu'));
    }
  }
  if (mode === 'v2') controllers = unified?.controllers ?? [];
  else controllers = Object.keys(v1);
  return { mode, unified, v1, controllers, psi, others };
}

function safeDir(h: Hierarchy, p: string): string | null {
  try {
    return dirOf(h, p);
  } catch {
    return null;
  }
}
