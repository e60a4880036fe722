/**
 * What every trial will need from the host, checked once before anything is created (issue 16):
 * a run whose every database trial would fail after its start-up with the same reason is one
 * exit-2 message instead.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { execaSync } from 'execa';
import { HostError, quote } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import { privilegesOf } from './prepare.js';

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** uid and gid of `user`, or null when there is no such user. */
function idsOf(user: string): { uid: number; gid: number } | null {
  const u = execaSync('id', ['-u', user], { reject: false });
  const g = execaSync('id', ['-g', user], { reject: false });
  if (u.exitCode !== 0 || g.exitCode !== 0) return null;
  return { uid: Number(String(u.stdout).trim()), gid: Number(String(g.stdout).trim()) };
}

/**
 * A workload that runs as another user (postgres: workloads/adapters.ts `otherIds`) works in a
 * data dir below `workRoot` (prepare.ts dataDirFor); as root isobench chowns that dir, never its parents,
 * so every parent must be searchable by that user (a 0700 mkdtemp dir or /root is not).
 * The part of the path that does not exist yet is created 0755 (umask 022) and needs no check.
 */
export function preflightRun(scenario: Scenario, workRoot: string): void {
  if (process.getuid?.() !== 0) return; // rootless: the user namespace maps the ids (prepare.ts)
  const dir = nearestExisting(workRoot);
  for (const cell of scenario.cells)
    for (const spec of Object.values(cell.containers)) {
      if (!privilegesOf(spec).otherIds) continue;
      const ids = idsOf('postgres');
      if (!ids) continue; // the workload says so itself (ISOBENCH_NO_POSTGRES_USER)
      const probe = execaSync('test', ['-x', dir], { ...ids, reject: false, stdio: 'ignore' });
      if (probe.exitCode !== 0)
        throw new HostError(
          'ISOBENCH_PG_DATA_DIR',
          `container ${spec.name}: the postgres user cannot reach ${quote(dir)}, where its data dirs would go (a parent directory is not searchable by it: mode 0700?); every trial would fail: use --out under a directory whose parents are o+x, such as /var/tmp/...`,
        );
      return; // one check answers for every container: they share the user and the dir
    }
}
