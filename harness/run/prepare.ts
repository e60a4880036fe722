/**
 * Everything about a run that can be checked before the first cgroup exists: each container's
 * data state (workloads/adapters.ts), the block device its io limits go to, and whether the host
 * can apply every cell's limits (driver.check). A run that would fail on cell 3 fails before cell
 * 1 starts.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { adapterFor, type DataState, type Privileges } from '../../workloads/adapters.js';
import { workloadsMainPath } from '../../workloads/index.js';
import type { CgroupMode } from '../cgroup/detect.js';
import { type BlockDevice, blockDeviceFor } from '../cgroup/device.js';
import type { CgroupDriver } from '../cgroup/driver.js';
import { checkRootless, isRootless } from '../container/userns.js';
import { UsageError } from '../errors.js';
import { needsBlockDevice } from '../limits.js';
import { runtimeProgram } from '../runtime/programs.js';
import { workloadArgs } from '../scenario/argv.js';
import type { ContainerSpec, Scenario } from '../scenario/types.js';

export interface Prepared {
  /** How the container's data dir starts each trial. */
  state: DataState;
  /** `template` and `shared`: the run's one prepared copy of the data (made by prepareData). */
  templateDir: string | null;
  /** Where the trials' own data dirs go (`<work>/trials/<trial id>/<container>`). */
  trialsRoot: string;
  /** The disk io limits apply to, or null when the cell sets none. */
  device: BlockDevice | null;
}

/** cellId -> container -> Prepared */
export type PreparedRun = Record<string, Record<string, Prepared>>;

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * One template per distinct workload and arguments: cells that run the same database share its
 * template, a cell with other rows gets its own.
 */
function templateDirOf(workRoot: string, spec: ContainerSpec): string {
  const key = JSON.stringify(workloadArgs(spec));
  return join(
    workRoot,
    'templates',
    `${spec.name}-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`,
  );
}

export function prepareRun(scenario: Scenario, driver: CgroupDriver, workRoot: string): PreparedRun {
  checkRootlessRun(scenario);
  const out: PreparedRun = {};
  for (const cell of scenario.cells) {
    const perCell: Record<string, Prepared> = {};
    for (const spec of Object.values(cell.containers)) {
      const w = spec.workload;
      const state = adapterFor(w.kind === 'builtin' ? w.name : null).dataState(spec.params);
      const trialsRoot = join(workRoot, 'trials');
      const device = needsBlockDevice(spec.limits)
        ? blockDeviceFor(spec.ioPath ?? nearestExisting(workRoot))
        : null;
      driver.check(spec.limits, device);
      checkRuntime(spec, driver.mode);
      perCell[spec.name] = {
        state,
        templateDir: state === 'scratch' ? null : templateDirOf(workRoot, spec),
        trialsRoot,
        device,
      };
    }
    out[cell.id] = perCell;
  }
  return out;
}

/**
 * A container's runtime, before anything is created: installed, and accepting this host (crun
 * refuses hybrid cgroups; the runtimes need root), else a HostError with the reason (exit 2).
 */
export function checkRuntime(spec: ContainerSpec, mode: CgroupMode): void {
  if (spec.runtime === 'native') return;
  if (spec.shareNet)
    throw new UsageError(
      'ISOBENCH_BAD_RUNTIME',
      `container ${spec.name}: shareNet needs runtime native (runtime ${spec.runtime} always makes a network namespace)`,
    );
  runtimeProgram(spec.runtime, mode);
}

/** The data dir a container works in during one trial (its cwd). */
export function dataDirFor(prep: Prepared, trialId: string, container: string): string {
  return prep.state === 'shared' && prep.templateDir
    ? prep.templateDir
    : join(prep.trialsRoot, trialId, container);
}

/** What the container's workload needs beyond an unprivileged root (a command: nothing). */
export function privilegesOf(spec: ContainerSpec): Privileges {
  const w = spec.workload;
  return adapterFor(w.kind === 'builtin' ? w.name : null).privileges(spec.params);
}

/**
 * Without root: refuses, before anything is created, a run that needs what this user cannot have
 * (no user namespaces; a workload that switches users without subordinate ids).
 */
export function checkRootlessRun(scenario: Scenario): void {
  if (!isRootless()) return;
  const needs = new Set<string>();
  for (const cell of scenario.cells)
    for (const spec of Object.values(cell.containers)) {
      const why = privilegesOf(spec).otherIds;
      if (why) needs.add(`container ${spec.name}: ${why}`);
    }
  checkRootless([...needs]);
}

/**
 * The argv a container runs: `workloads/main.js workload NAME ...` (not the CLI: workloads/main.js
 * loads only the workload it runs) plus what the workload's adapter adds when the scenario leaves
 * it unset (a free port, files in the data dir), or the command as written.
 */
export function commandFor(spec: ContainerSpec, dataDir: string): string[] {
  const w = workloadArgs(spec);
  if (w.kind === 'command') return w.argv;
  const has = (k: string) => w.args.includes(`--${k}`);
  const extra = adapterFor(w.name).defaultArgs(has, spec.params, dataDir);
  return [process.execPath, workloadsMainPath(), 'workload', w.name, ...w.args, ...extra];
}
