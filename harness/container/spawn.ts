/**
 * Starts a command as a container: new pid, mount (private /proc), uts (hostname = name), ipc, net
 * (only `lo`, up) and cgroup namespaces, attached to its cgroup before exec (by isobench-init, see
 * init.c). Contained unless `privileged`: the host's files read-only except its data dirs, private
 * /tmp, masked /proc and /sys paths, only the capabilities it needs, no_new_privs (contain.c,
 * caps.c). Without root, in a user namespace as well (userns.ts). Stopping it kills the whole tree
 * through the cgroup: killing the first process alone would not stop its children.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CgroupDriver, CgroupHandle } from '../cgroup/driver.js';
import { HostError } from '../errors.js';
import { settledWithin } from '../timers.js';
import { CAPABILITIES, type Capability } from './capabilities.js';
import { type IdMapping, isRootless, planIdMapping } from './userns.js';

export interface ContainerSpec {
  command: string[];
  /** Share the host network namespace (a server a host-side client must reach). */
  shareNet?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio?: StdioOptions;
  /**
   * Directories the container may write (absolute, symlinks resolved): its data dirs, bound
   * read-write over the read-only host. A cwd among them (or below one) is the bind.
   */
  writable?: string[];
  /** Capabilities the command keeps; none by default. */
  capabilities?: readonly Capability[];
  /** The host's files writable and every capability, as before containment (recorded as such). */
  privileged?: boolean;
}

export interface ExitInfo {
  /** The command's exit code, or null when it died of a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** What a shell would report: the code, or 128 + the signal number (127 when it could not start). */
  status: number;
  /** Set when the container could not be started at all. */
  error?: string;
}

export interface Container {
  readonly handle: CgroupHandle;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  /** The user namespace's id maps (rootless runs), or null when it has none. */
  readonly ids: IdMapping | null;
  /**
   * A process in the container's network namespace, when that is not `pid`'s (a runtime's payload:
   * `pid` is the runtime's own process, in the host's); resolves once it runs.
   */
  readonly netPid?: Promise<number>;
  /** SIGTERM (forwarded by init to the command), then after `graceMs` SIGKILL to the whole cgroup. */
  stop(graceMs?: number): Promise<ExitInfo>;
  signal(sig: NodeJS.Signals): void;
}

let initPath: string | undefined;

export function initBinary(): string {
  if (initPath) return initPath;
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/harness/container/ (tsc's output), dist/harness/ (exec.bundle.js), harness/container/ (sources).
  const candidates = [
    join(here, '../../bin/isobench-init'),
    join(here, '../bin/isobench-init'),
    join(here, '../../dist/bin/isobench-init'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new HostError(
      'ISOBENCH_NO_INIT',
      `isobench-init is not built (looked in ${candidates.join(', ')}): run npm run build`,
    );
  }
  initPath = found;
  return found;
}

export function exitInfo(code: number | null, signal: NodeJS.Signals | null): ExitInfo {
  if (signal) return { exitCode: null, signal, status: 128 + (constants.signals[signal] ?? 0) };
  return { exitCode: code ?? 0, signal: null, status: code ?? 0 };
}

/** How a container is started: `startContainer`, or a stand-in in unit tests that cannot be root. */
export type Launcher = (driver: CgroupDriver, handle: CgroupHandle, spec: ContainerSpec) => Container;

/**
 * isobench-init's arguments for a container; `ids`: the user namespace's id maps (rootless runs),
 * or null for none.
 */
export function initArgs(
  procsFiles: string[],
  name: string,
  spec: ContainerSpec,
  ids: IdMapping | null,
): string[] {
  const args: string[] = [];
  for (const f of procsFiles) args.push('--cgroup-procs', f);
  args.push('--hostname', name);
  if (spec.shareNet) args.push('--share-net');
  if (spec.privileged) args.push('--privileged');
  else {
    for (const dir of spec.writable ?? []) args.push('--writable', dir);
    // isobench and node must stay reachable even when installed under /tmp, which a contained
    // container has a private one of (the init binds them back read-only only when hidden).
    for (const dir of visibleDirs()) args.push('--visible', dir);
    for (const cap of spec.capabilities ?? []) args.push('--cap', String(CAPABILITIES[cap]));
  }
  if (ids) {
    args.push('--userns');
    for (const r of ids.uid) args.push('--uid-map', `${r.inside}:${r.outside}:${r.count}`);
    for (const r of ids.gid) args.push('--gid-map', `${r.inside}:${r.outside}:${r.count}`);
    if (ids.helpers) args.push('--newuidmap', ids.helpers.newuidmap, '--newgidmap', ids.helpers.newgidmap);
  }
  args.push('--', ...spec.command);
  return args;
}

let visible: string[] | undefined;

/** isobench's package root and node's directory, real paths (found once per process). */
function visibleDirs(): string[] {
  if (visible) return visible;
  let root = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(root, 'package.json')) && dirname(root) !== root) root = dirname(root);
  visible = [...new Set([root, dirname(process.execPath)].map((d) => realpathSync.native(d)))];
  return visible;
}

/** The user namespace a container gets from this process: none as root, else the user's mapping. */
export function idMappingHere(): IdMapping | null {
  return isRootless() ? planIdMapping().mapping : null;
}

export function startContainer(driver: CgroupDriver, handle: CgroupHandle, spec: ContainerSpec): Container {
  const ids = idMappingHere();
  // Real paths: a data dir hidden by the private /tmp is recreated in it by path, not by link.
  const writable = spec.writable?.map((d) => realpathSync.native(d));
  const args = initArgs(driver.procsFiles(handle), handle.name, { ...spec, writable }, ids);
  const child = spawn(initBinary(), args, {
    stdio: spec.stdio ?? 'inherit',
    env: spec.env ?? process.env,
    cwd: spec.cwd,
  });
  // Never rejects: a container that cannot start is an exit like any other (status 127, with the
  // reason), so every caller handles one shape and no rejection goes unhandled.
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) =>
      resolve({
        exitCode: null,
        signal: null,
        status: 127,
        error: `cannot start the container: ${err.message}`,
      }),
    );
    child.once('exit', (code, sig) => resolve(exitInfo(code, sig)));
  });
  return {
    handle,
    child,
    pid: child.pid ?? -1,
    exited,
    ids,
    signal(sig) {
      child.kill(sig);
    },
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // The whole tree, through the cgroup: killing init alone would not stop its children.
      if (!(await settledWithin(exited, graceMs))) await driver.killAll(handle);
      return exited;
    },
  };
}
