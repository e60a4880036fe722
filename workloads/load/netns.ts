import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Path of the compiled standalone entry (dist/workloads/main.js). Under vitest this module is
 * the .ts source, whose sibling main.js does not exist, so fall back to the dist copy.
 */
export function workloadsMainPath(): string {
  const here = fileURLToPath(new URL('../main.js', import.meta.url));
  if (existsSync(here) && !fileURLToPath(import.meta.url).endsWith('.ts')) return here;
  return fileURLToPath(new URL('../../dist/workloads/main.js', import.meta.url));
}

/**
 * argv that runs `load ARGV...` inside the network namespace of `pid` but nowhere else: nsenter
 * switches only the net namespace, so the generator stays in the caller's cgroup, mount and pid
 * namespaces and does not steal CPU from the container it measures. Needs CAP_SYS_ADMIN over
 * that namespace: root's, or, for a rootless container (`userns`), the user's own over the user
 * namespace that owns it, which nsenter joins first (--preserve-credentials: the generator keeps
 * its ids, which map to root there).
 */
export function loadCommandInNetns(pid: number, argv: string[], opts: { userns?: boolean } = {}): string[] {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new RangeError(`loadCommandInNetns: bad pid ${pid}`);
  return [
    'nsenter',
    ...(opts.userns ? [`--user=/proc/${pid}/ns/user`, '--preserve-credentials'] : []),
    `--net=/proc/${pid}/ns/net`,
    '--',
    process.execPath,
    workloadsMainPath(),
    'load',
    ...argv,
  ];
}
