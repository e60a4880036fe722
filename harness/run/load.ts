/**
 * The open-loop load generator aimed at a served member: `isobench load` (workloads/load) as a
 * child process in the generators' own cgroup; for a server in its own network namespace it
 * enters only that namespace (nsenter --net), so it reaches the server on the container's
 * loopback.
 *
 * It is started with its server, before the server listens (`--port stdin`, `--start-at stdin`):
 * it loads while the server prepares, is told the port when the server's listening line comes,
 * opens its connections and its clock thread, prints a ready line, and waits. The trial then
 * picks one instant T0 for everyone and writes it to every generator: warmup runs from T0, the
 * measured window from T0 + warmup to T0 + warmup + duration, the same instants at which the
 * trial marks the workloads and reads the cgroups. Node's start-up is off the measured path.
 */
import { readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { loadCommand, loadCommandInNetns } from '../../workloads/index.js';
import { type LoadResultLine, loadResultSchema } from '../../workloads/lines.js';
import { initBinary } from '../container/spawn.js';
import type { PlannedTrial } from '../scenario/plan.js';
import { sleep } from '../timers.js';
import type { Member } from './member.js';

export interface LoadRun {
  /** Resolves when the generator is loaded and connected; rejects if it exits first. */
  ready: Promise<void>;
  /** Tells it the server's port (it connects then). */
  target(port: number): void;
  /** Starts its schedule (warmup first) at `epochMs` (Date.now() clock). */
  start(epochMs: number): void;
  /**
   * The generator's result as soon as it prints a valid result line (its exit is teardown's
   * business), or null when it exits without one.
   */
  result: Promise<LoadResultLine | null>;
  kill(): void;
}

/**
 * Resolves once `pid` is in a network namespace of its own: isobench-init unshares a few
 * milliseconds after it is spawned, and a generator that entered before would reach the host's
 * loopback instead of the container's. Rejects if the container exits or `timeoutMs` passes first.
 */
async function ownNetns(pid: number, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  const self = readlinkSync('/proc/self/ns/net');
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const startMs = performance.now();
  for (;;) {
    if (gone) throw new Error('the container exited before its network namespace was made');
    let ns: string | null = null;
    try {
      ns = readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      // not readable yet, or gone: the exit check above says which
    }
    if (ns !== null && ns !== self) return;
    if (performance.now() - startMs > timeoutMs)
      throw new Error(`the container's network namespace did not appear within ${timeoutMs} ms`);
    await sleep(2);
  }
}

/**
 * Starts the generator for a served member, as soon as the container is in its own network
 * namespace. `procsFiles`: the cgroup.procs files of the generators' cgroup; isobench-init
 * --attach-only joins them before it execs the generator, so its CPU is measured like a
 * container's and never charged to the harness or the host.
 */
export function startLoad(
  m: Member,
  t: PlannedTrial,
  procsFiles: string[],
  timeoutMs: number,
): LoadRun | null {
  const spec = m.spec.load;
  if (!spec) return null;
  const argv = [
    'http://127.0.0.1/',
    '--port',
    'stdin',
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
  let killed = false;
  const spawned = (async () => {
    // A runtime's container: its payload's netns (the runtime's own process is in the host's).
    const pid = m.container.netPid ? await m.container.netPid : m.container.pid;
    if (!m.spec.shareNet) await ownNetns(pid, m.container.exited, timeoutMs);
    if (killed) throw new Error('the load generator was stopped before it started');
    const generator = m.spec.shareNet
      ? loadCommand(argv)
      : loadCommandInNetns(pid, argv, { userns: m.container.ids !== null });
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
    // Wrapped: a subprocess is a promise, and returning it bare would wait for its end.
    return { sub: execa(cmd[0] as string, cmd.slice(1), { reject: false, stdin: 'pipe', stderr: 'ignore' }) };
  })();
  let gotResult: (r: LoadResultLine | null) => void = () => {};
  const result = new Promise<LoadResultLine | null>((resolve) => {
    gotResult = resolve;
  });
  const ready = spawned.then(
    ({ sub }) =>
      new Promise<void>((resolve, reject) => {
        createInterface({ input: sub.stdout }).on('line', (line) => {
          if (!line.startsWith('{')) return;
          try {
            const json = JSON.parse(line) as { type?: unknown };
            if (json.type === 'ready') resolve();
            else if (json.type === 'result') {
              const parsed = loadResultSchema.safeParse(json);
              if (parsed.success) gotResult(parsed.data);
            }
          } catch {
            // not a protocol line
          }
        });
        void sub.then((r) =>
          reject(new Error(`the load generator exited (${r.exitCode ?? r.signal}) before it was ready`)),
        );
      }),
  );
  ready.catch(() => {});
  const write = (text: string, end: boolean) =>
    void spawned.then(
      ({ sub }) => (end ? sub.stdin?.end(text) : sub.stdin?.write(text)),
      () => {},
    );
  return {
    ready,
    target: (port) => write(`${port}\n`, false),
    start: (epochMs) => write(`${epochMs}\n`, true),
    result: Promise.race([
      result,
      spawned.then(
        ({ sub }) => sub.then(() => null),
        () => null,
      ),
    ]),
    kill: () => {
      killed = true;
      void spawned.then(
        ({ sub }) => sub.kill('SIGKILL'),
        () => {},
      );
    },
  };
}
