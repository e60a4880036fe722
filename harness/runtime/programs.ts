/**
 * The runtimes' programs on this host, their versions, and whether they accept it: checked before
 * anything is created, so that a scenario a runtime would refuse fails validation with the
 * runtime's own reason (exit 2), not as a half-started trial.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CgroupMode } from '../cgroup/detect.js';
import { HostError } from '../errors.js';
import type { RuntimeName } from '../scenario/types.js';

export interface RuntimeProgram {
  runtime: Exclude<RuntimeName, 'native'>;
  /** The program isobench runs (lxc-execute, runc, crun), absolute. */
  path: string;
  /** Its name: `lxc`, `runc` or `crun`. */
  engine: 'lxc' | 'runc' | 'crun';
  /** The first line of its `--version`. */
  version: string;
}

export function findProgram(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  return dirs.map((d) => join(d, name)).find((p) => p.startsWith('/') && existsSync(p)) ?? null;
}

function versionOf(path: string): string {
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return out.split('\n')[0]?.trim() ?? '';
  } catch (err) {
    throw new HostError('ISOBENCH_RUNTIME', `${path} --version failed: ${(err as Error).message}`);
  }
}

const INSTALL = 'Debian, Ubuntu: apt-get install lxc runc crun';

/**
 * Refuses a host the engine refuses, quoting it: crun rejects hybrid cgroups ("cgroups in hybrid
 * mode not supported", crun's libcrun/cgroup.c), and isobench runs it on v2 only (a cgroupsPath is
 * from each hierarchy's root in crun, one path for all v1 hierarchies); every runtime here needs root (rootless lxc
 * and runc need their own idmap and delegation set-up, which isobench does not make).
 */
export function refusal(engine: RuntimeProgram['engine'], mode: CgroupMode, root: boolean): string | null {
  if (!root)
    return `${engine} containers need root here (isobench does not set up rootless ${engine}); run as root or use runtime native`;
  if (engine === 'crun' && mode === 'hybrid')
    return 'crun refuses this host: "cgroups in hybrid mode not supported" (cgroup v1 controllers with a cgroup2 mount); use runc or boot with systemd.unified_cgroup_hierarchy=1';
  if (engine === 'crun' && mode === 'v1')
    return 'isobench runs crun only on cgroup v2: crun puts a container cgroup at the root of every v1 hierarchy, where isobench cannot place it below its own; use runc';
  return null;
}

/**
 * The program for a runtime: lxc-execute for lxc; for oci, runc where installed, else crun
 * (ISOBENCH_OCI_RUNTIME=crun|runc picks one). Throws HostError (exit 2) naming what is missing or
 * what the runtime refuses.
 */
export function runtimeProgram(runtime: Exclude<RuntimeName, 'native'>, mode: CgroupMode): RuntimeProgram {
  const key = `${runtime} ${mode} ${process.env.ISOBENCH_OCI_RUNTIME ?? ''}`;
  const known = found.get(key);
  if (known) return known;
  const p = lookUp(runtime, mode);
  found.set(key, p);
  return p;
}

/** Programs found so far: a run checks each container's runtime once, then starts it per trial. */
const found = new Map<string, RuntimeProgram>();

function lookUp(runtime: Exclude<RuntimeName, 'native'>, mode: CgroupMode): RuntimeProgram {
  const root = process.geteuid?.() === 0;
  const wanted = process.env.ISOBENCH_OCI_RUNTIME;
  if (runtime === 'oci' && wanted !== undefined && wanted !== 'runc' && wanted !== 'crun')
    throw new HostError(
      'ISOBENCH_RUNTIME',
      `ISOBENCH_OCI_RUNTIME=${JSON.stringify(wanted)}: expected runc or crun`,
    );
  const candidates: RuntimeProgram['engine'][] =
    runtime === 'lxc' ? ['lxc'] : wanted ? [wanted as 'runc' | 'crun'] : ['runc', 'crun'];
  const first = candidates
    .map((engine) => ({ engine, path: findProgram(engine === 'lxc' ? 'lxc-execute' : engine) }))
    .find((c): c is { engine: RuntimeProgram['engine']; path: string } => c.path !== null);
  if (!first)
    throw new HostError(
      'ISOBENCH_RUNTIME',
      `runtime ${runtime} needs ${candidates.map((c) => (c === 'lxc' ? 'lxc-execute' : c)).join(' or ')}, which is not installed (${INSTALL})`,
    );
  const why = refusal(first.engine, mode, root);
  if (why) throw new HostError('ISOBENCH_RUNTIME_REFUSES', `runtime ${runtime}: ${why}`);
  return { runtime, ...first, version: versionOf(first.path) };
}
