/**
 * What a runtime is given for one container (its argv, config files in its state dir), from the
 * same limits and containment as native; start.ts runs it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { BlockDevice } from '../cgroup/device.js';
import type { CgroupDriver, CgroupHandle } from '../cgroup/driver.js';
import { type ContainerSpec, initArgs, initBinary } from '../container/spawn.js';
import type { Limits } from '../limits.js';
import {
  cgroupMounts,
  cgroupRemounts,
  lxcConfig,
  ociCapsWithin,
  ociResourcesV1,
  ociResourcesV2,
  ociSpec,
  PAYLOAD_DIR,
} from './config.js';
import type { RuntimeProgram } from './programs.js';

export interface RuntimeSpec extends ContainerSpec {
  limits: Limits;
  device: BlockDevice | null;
  /** How long the runtime may take to exec the payload. */
  startTimeoutMs?: number;
  /** Read the payload cgroup's stats this often while it runs (RuntimeContainer.payloadStats). */
  watchPayloadMs?: number;
}

/** The limits that only act among sibling cgroups (cgroup-v2.rst "Weights", memory.low's "Protections"). */
export function relativeLimits(limits: Limits): Limits {
  const out: Limits = {};
  if (limits['cpu.weight'] !== undefined) out['cpu.weight'] = limits['cpu.weight'];
  if (limits['io.weight'] !== undefined) out['io.weight'] = limits['io.weight'];
  if (limits['memory.low'] !== undefined) out['memory.low'] = limits['memory.low'];
  return out;
}

/** The kernel's cgroup v1 controller names (/proc/cgroups). */
function v1Controllers(): string[] {
  return readFileSync('/proc/cgroups', 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split('\t')[0] as string);
}

/** `KEY=VALUE` for every variable: lxc-execute clears the environment, runc takes it from the spec. */
function envList(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter((e): e is [string, string] => e[1] !== undefined && !e[0].includes('='))
    .map(([k, v]) => `${k}=${v}`);
}

/** The runtime's argv and config text for one container; files go into `state`. */
export async function plan(
  program: RuntimeProgram,
  driver: CgroupDriver,
  h: CgroupHandle,
  spec: RuntimeSpec,
  state: string,
): Promise<{ argv: string[]; config: string }> {
  const cwd = spec.cwd ?? state;
  const env = envList(spec.env ?? process.env);
  const payload = [initBinary(), ...initArgs([], h.name, { ...spec, shareNet: true }, null)];
  const writes = driver.plannedWrites(spec.limits, spec.device);
  if (program.engine === 'lxc') {
    const config = lxcConfig({ hostname: h.name, mode: driver.mode, writes, cwd });
    writeFileSync(join(state, 'config'), config);
    const log = ['-o', join(state, 'log'), '-l', 'ERROR'];
    const argv = [program.path, '-n', h.id, '-P', state, '-f', join(state, 'config'), ...log, '--'];
    return { argv: [...argv, '/usr/bin/env', '-i', ...env, ...payload], config };
  }
  const rootfs = join(state, 'rootfs');
  mkdirSync(rootfs);
  const resources = driver.mode === 'v2' ? ociResourcesV2(writes) : ociResourcesV1(spec.limits, spec.device);
  const capBnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '0';
  const capabilities = ociCapsWithin(BigInt(`0x${capBnd}`));
  // runc nests a relative path below its own cgroup's parent on v2 (the container's, as its own is
  // the container's leaf `runtime`) and below its own on v1. crun 1.8 takes a relative path from
  // the hierarchy's root (cgroup-cgroupfs.c make_cgroup_path: "/" + path), so it is told the
  // absolute path of the container's payload: exact on v2, its only hierarchy (programs.ts keeps
  // crun off v1 and hybrid hosts).
  const cgroupsPath = program.engine === 'crun' ? posix.join(h.path, PAYLOAD_DIR) : PAYLOAD_DIR;
  const oci = ociSpec({
    hostname: h.name,
    args: payload,
    env,
    cwd,
    rootfs,
    resources,
    capabilities,
    cgroupsPath,
  });
  const config = `${JSON.stringify(oci, null, 2)}\n`;
  const bundle = join(state, 'bundle');
  mkdirSync(bundle);
  writeFileSync(join(bundle, 'config.json'), config);
  // runc cannot pivot_root from `/` itself: the root it gets is a recursive bind of the host's,
  // made in a mount namespace of its own (unshare -m) so that nothing is left mounted on the host
  // whatever happens to the runtime. On a hybrid host it also gets a cgroup namespace rooted at
  // the container's cgroups, with the hierarchies mounted afresh (cgroupRemounts): runc's
  // relative `payload` then lands below the container's cgroup in cgroup2 too.
  const run = [
    program.path,
    '--root',
    join(state, 'root'),
    '--log',
    join(state, 'log'),
    'run',
    '--bundle',
    bundle,
    h.id,
  ];
  const hybrid = driver.mode === 'hybrid';
  const remounts = hybrid
    ? cgroupRemounts(cgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')), v1Controllers())
    : [];
  const script = ['mount --make-rprivate /', ...remounts, 'mount --rbind / "$1"', 'shift', 'exec "$@"'].join(
    ' && ',
  );
  const unshare = ['unshare', '-m', ...(hybrid ? ['-C'] : []), '--'];
  return { argv: [...unshare, 'sh', '-c', script, 'sh', rootfs, ...run], config };
}
