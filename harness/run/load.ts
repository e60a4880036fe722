/**
 * The open-loop load generator aimed at a served member: `isobench load` (workloads/load) as a
 * child process in the generators' own cgroup; for a server in its own network namespace it
 * enters only that namespace (nsenter --net), so it reaches the server on the container's
 * loopback.
 *
 * It is started early (once the server listens, while it prepares), with `--start-at stdin`: it loads, opens its connections and its clock
 * thread, prints a ready line, and waits. The trial then picks one instant T0 for everyone and
 * writes it to every generator: warmup runs from T0, the measured window from T0 + warmup to
 * T0 + warmup + duration, the same instants at which the trial marks the workloads and reads the
 * cgroups. Node's start-up is off the measured path.
 */
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { loadCommandInNetns, workloadsMainPath } from '../../workloads/index.js';
import { type LoadResultLine, loadResultSchema } from '../../workloads/lines.js';
import { initBinary } from '../container/spawn.js';
import type { PlannedTrial } from '../scenario/plan.js';
import type { Member } from './member.js';

export interface LoadRun {
  /** Resolves when the generator is loaded and connected; rejects if it exits first. */
  ready: Promise<void>;
  /** Starts its schedule (warmup first) at `epochMs` (Date.now() clock). */
  start(epochMs: number): void;
  /** The generator's result when it exits 0 with a valid result line, else null. */
  result: Promise<LoadResultLine | null>;
  kill(): void;
}

/**
 * Starts the generator for a served member. `procsFiles`: the cgroup.procs files of the
 * generators' cgroup; isobench-init --attach-only joins them before it execs the generator, so
 * its CPU is measured like a container's and never charged to the harness or the host.
 */
export function startLoad(
  m: Member,
  t: PlannedTrial,
  procsFiles: string[],
  port: number | null,
): LoadRun | null {
  const spec = m.spec.load;
  if (!spec || port === null) return null;
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
    '--start-at',
    'stdin',
    '--json',
  ];
  const generator = m.spec.shareNet
    ? [process.execPath, workloadsMainPath(), 'load', ...argv]
    : loadCommandInNetns(m.container.pid, argv, { userns: m.container.ids !== null });
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
  const sub = execa(cmd[0] as string, cmd.slice(1), { reject: false, stdin: 'pipe', stderr: 'ignore' });
  let result: LoadResultLine | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: sub.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        const json = JSON.parse(line) as { type?: unknown };
        if (json.type === 'ready') resolve();
        else if (json.type === 'result') {
          const parsed = loadResultSchema.safeParse(json);
          if (parsed.success) result = parsed.data;
        }
      } catch {
        // not a protocol line
      }
    });
    void sub.then((r) =>
      reject(new Error(`the load generator exited (${r.exitCode ?? r.signal}) before it was ready`)),
    );
  });
  ready.catch(() => {});
  return {
    ready,
    start: (epochMs) => {
      sub.stdin?.end(`${epochMs}\n`);
    },
    result: sub.then((r) => (r.exitCode === 0 ? result : null)),
    kill: () => void sub.kill('SIGKILL'),
  };
}
