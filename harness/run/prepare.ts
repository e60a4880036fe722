/**
 * Everything about a run that can be checked before the first cgroup exists: each container's
 * data dir, the block device its io limits go to, and whether the host can apply every cell's
 * limits (driver.check). A run that would fail on cell 3 fails before cell 1 starts.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { workloadsMainPath } from '../../workloads/index.js';
import { type BlockDevice, blockDeviceFor } from '../cgroup/device.js';
import type { CgroupDriver } from '../cgroup/driver.js';
import { needsBlockDevice } from '../limits.js';
import { workloadArgs } from '../scenario/argv.js';
import type { ContainerSpec, Scenario } from '../scenario/types.js';

export interface Prepared {
  /** Where the workload keeps its files (database, page-cache file, io test file); its cwd. */
  dataDir: string;
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

export function prepareRun(scenario: Scenario, driver: CgroupDriver, workRoot: string): PreparedRun {
  const out: PreparedRun = {};
  for (const cell of scenario.cells) {
    const perCell: Record<string, Prepared> = {};
    for (const spec of Object.values(cell.containers)) {
      const dataDir = join(workRoot, spec.name);
      const device = needsBlockDevice(spec.limits)
        ? blockDeviceFor(spec.ioPath ?? nearestExisting(dataDir))
        : null;
      driver.check(spec.limits, device);
      perCell[spec.name] = { dataDir, device };
    }
    out[cell.id] = perCell;
  }
  return out;
}

/**
 * The argv a container runs: `workloads/main.js workload NAME ...` with defaults for files, or the
 * command as written. Not the CLI: workloads/main.js loads only the workload it runs.
 */
export function commandFor(spec: ContainerSpec, prep: Prepared): string[] {
  const w = workloadArgs(spec);
  if (w.kind === 'command') return w.argv;
  const has = (k: string) => w.args.includes(`--${k}`);
  const extra: string[] = [];
  if (w.name === 'web') {
    if (!has('port')) extra.push('--port', '0');
    if (spec.params.mode === 'pagecache' && !has('data-file'))
      extra.push('--data-file', join(prep.dataDir, 'web-data.bin'));
  }
  if (w.name === 'db' && !has('data-dir')) extra.push('--data-dir', prep.dataDir);
  if (w.name === 'io' && !has('path')) extra.push('--path', prep.dataDir);
  return [process.execPath, workloadsMainPath(), 'workload', w.name, ...w.args, ...extra];
}
