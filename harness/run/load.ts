/**
 * The open-loop load generator aimed at a served member: `isobench load` (workloads/load) as a
 * child process, outside the member's cgroup; for a server in its own network namespace it enters
 * only that namespace (nsenter --net), so it reaches the server on the container's loopback.
 */
import { execa, type ResultPromise } from 'execa';
import { loadCommandInNetns, workloadsMainPath } from '../../workloads/index.js';
import { type LoadResultLine, loadResultSchema } from '../../workloads/lines.js';
import { initBinary } from '../container/spawn.js';
import type { PlannedTrial } from '../scenario/plan.js';
import type { Member } from './member.js';

export interface LoadRun {
  /** The generator's result when it exits 0 with a valid `--json` line, else null. */
  result: Promise<LoadResultLine | null>;
  kill(): void;
}

/**
 * Starts the generator for a served member. `procsFiles`: the cgroup.procs files of the
 * generator's own cgroup; isobench-init --attach-only joins them before it execs the generator,
 * so its CPU is measured like a container's and never charged to the harness or the host.
 */
export function startLoad(m: Member, t: PlannedTrial, procsFiles: string[]): LoadRun | null {
  const spec = m.spec.load;
  const port = m.ready?.port;
  if (!spec || port === undefined) return null;
  const argv = [
    `http://127.0.0.1:${port}/`,
    '--rate',
    String(spec.rateHz),
    '--duration',
    `${t.durationMs}ms`,
    '--warmup',
    `${t.warmupMs}ms`,
    '--connections',
    String(spec.connections),
    '--arrivals',
    spec.arrivals,
    '--json',
  ];
  const generator = m.spec.shareNet
    ? [process.execPath, workloadsMainPath(), 'load', ...argv]
    : loadCommandInNetns(m.container.pid, argv);
  const cmd =
    procsFiles.length > 0
      ? [
          initBinary(),
          ...procsFiles.flatMap((f) => ['--cgroup-procs', f]),
          '--attach-only',
          '--',
          ...generator,
        ]
      : generator;
  const sub: ResultPromise<{ lines: true; reject: false; stdin: 'ignore'; stderr: 'ignore' }> = execa(
    cmd[0] as string,
    cmd.slice(1),
    { lines: true, reject: false, stdin: 'ignore', stderr: 'ignore' },
  );
  const result = sub.then((r) => {
    if (r.exitCode !== 0) return null;
    try {
      const parsed = loadResultSchema.safeParse(JSON.parse(r.stdout.at(-1) ?? ''));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  });
  return { result, kill: () => void sub.kill('SIGKILL') };
}
