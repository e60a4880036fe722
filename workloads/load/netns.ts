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
 * Node flags of every generator process. A young generation of at least 16 MiB per semi-space
 * (V8 starts at 1 MiB and grows it only when objects survive): the generator's garbage is
 * short-lived, so a small young generation meant a scavenge every ~200 ms at 16,000-20,000/s, a
 * pause of 0.5 ms (median) to 3 ms in which due requests wait and responses are not read
 * (measured with --trace-gc here: 57 in 12 s by default; 12x fewer with the flag in a plain
 * allocation loop). V8 reads it at start-up only (v8.setFlagsFromString has no effect then).
 */
export const GENERATOR_NODE_FLAGS: readonly string[] = ['--min-semi-space-size=16'];

/** argv that runs `load ARGV...` in a new Node process, as the runner starts the generator. */
export function loadCommand(argv: string[]): string[] {
  return [process.execPath, ...GENERATOR_NODE_FLAGS, workloadsMainPath(), 'load', ...argv];
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
  return [...netnsPrefix(pid, opts), ...loadCommand(argv)];
}

/**
 * The command prefix that runs what follows in the network namespace of `pid` only (see
 * loadCommandInNetns): a one-shot generator's, or a resident generator's sender's (`via`).
 */
export function netnsPrefix(pid: number, opts: { userns?: boolean } = {}): string[] {
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new RangeError(`netnsPrefix: bad pid ${pid}`);
  return [
    'nsenter',
    ...(opts.userns ? [`--user=/proc/${pid}/ns/user`, '--preserve-credentials'] : []),
    `--net=/proc/${pid}/ns/net`,
    '--',
  ];
}
