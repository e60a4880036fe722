/**
 * Runtimes' state dirs (lxc-execute -P, runc --root, the config and bundle, the root view): one per
 * container, named after its cgroup id under isobench's state dir, so that `isobench cleanup`
 * tells a dead run's from a live run's by the run id, as it does for cgroups.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../teardown/registry.js';

export function runtimeStateDir(cgroupId: string): string {
  return join(stateDir(), 'runtimes', cgroupId);
}

/** State dirs of runs not in `live` (every one with `force`): `{ runId, dir }`. */
export function runtimeLeftovers(
  idRe: RegExp,
  live: Set<string>,
  force: boolean,
): { runId: string; dir: string }[] {
  const root = join(stateDir(), 'runtimes');
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const runId = idRe.exec(n)?.[1];
    return runId && (force || !live.has(runId)) ? [{ runId, dir: join(root, n) }] : [];
  });
}
