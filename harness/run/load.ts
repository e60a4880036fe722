/**
 * The open-loop load generator aimed at a served member: `isobench load` (workloads/load) in the
 * generators' own cgroup, as a job of one of the run's resident generators (GeneratorPool: `load
 * --serve`), or as a process of its own for a trial run alone. For a server in its own network
 * namespace, the sender (isobench-loadgen) enters only that namespace (nsenter --net), so it
 * reaches the server on the container's loopback.
 *
 * A job starts with its server, before the server listens (`--port stdin`, `--start-at stdin`):
 * it is told the port when the server's listening line comes,
 * opens its connections and its clock thread, prints a ready line, and waits. The trial then
 * picks one instant T0 for everyone and writes it to every generator: warmup runs from T0, the
 * measured window from T0 + warmup to T0 + warmup + duration, the same instants at which the
 * trial marks the workloads and reads the cgroups. Node's start-up is off the measured path.
 */
import { readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { loadCommand, loadCommandInNetns, netnsPrefix } from '../../workloads/index.js';
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

/** The argv of one trial's load for a served member (`isobench load`'s, without the URL's port). */
function loadArgv(m: Member, t: PlannedTrial): string[] | null {
  const spec = m.spec.load;
  if (!spec) return null;
  return [
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
    '--standby',
    spec.standby,
    '--start-at',
    'stdin',
    '--json',
  ];
}

/** A command started in the generators' cgroup: isobench-init --attach-only joins it, then execs. */
function inCgroup(procsFiles: string[], cmd: string[]): string[] {
  return procsFiles.length > 0
    ? [initBinary(), ...procsFiles.flatMap((f) => ['--cgroup-procs', f]), '--attach-only', '--', ...cmd]
    : cmd;
}

/** The netns of a served member to load, once it exists (null: it shares the host's). */
async function targetNetns(m: Member, timeoutMs: number): Promise<number | null> {
  // A runtime's container: its payload's netns (the runtime's own process is in the host's).
  const pid = m.container.netPid ? await m.container.netPid : m.container.pid;
  if (m.spec.shareNet) return null;
  await ownNetns(pid, m.container.exited, timeoutMs);
  return pid;
}

/** The protocol lines of a generator, one load at a time: its ready line, then its result. */
interface Lines {
  ready: Promise<void>;
  result: Promise<LoadResultLine | null>;
}

/**
 * Reads one load's lines, given to the handler it passes to `listen`; `ended` resolves when the
 * generator process exits.
 */
function readLoad(listen: (onLine: (line: string) => void) => void, ended: Promise<string>): Lines {
  let gotReady: () => void = () => {};
  let gotResult: (r: LoadResultLine | null) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    gotReady = resolve;
    void ended.then((how) => reject(new Error(`the load generator exited (${how}) before it was ready`)));
  });
  ready.catch(() => {});
  const result = new Promise<LoadResultLine | null>((resolve) => {
    gotResult = resolve;
    void ended.then(() => resolve(null));
  });
  listen((line) => {
    if (!line.startsWith('{')) return;
    try {
      const json = JSON.parse(line) as { type?: unknown };
      if (json.type === 'ready') gotReady();
      else if (json.type === 'result') {
        const parsed = loadResultSchema.safeParse(json);
        gotResult(parsed.success ? parsed.data : null);
      }
    } catch {
      // not a protocol line
    }
  });
  return { ready, result };
}

/**
 * Starts the generator for a served member, as soon as the container is in its own network
 * namespace: a job of a resident generator of the run's `pool`, or without one a process of its
 * own. `procsFiles`: the cgroup.procs files of the generators' cgroup; isobench-init
 * --attach-only joins them before it execs the generator, so its CPU is measured like a
 * container's and never charged to the harness or the host.
 */
export function startLoad(
  m: Member,
  t: PlannedTrial,
  procsFiles: string[],
  timeoutMs: number,
  pool: GeneratorPool | null = null,
): LoadRun | null {
  const argv = loadArgv(m, t);
  if (!argv) return null;
  if (pool) return pool.job(argv, targetNetns(m, timeoutMs), m.container.ids !== null);
  let killed = false;
  const spawned = (async () => {
    const pid = await targetNetns(m, timeoutMs);
    if (killed) throw new Error('the load generator was stopped before it started');
    const generator =
      pid === null ? loadCommand(argv) : loadCommandInNetns(pid, argv, { userns: m.container.ids !== null });
    const cmd = inCgroup(procsFiles, generator);
    // Wrapped: a subprocess is a promise, and returning it bare would wait for its end.
    return { sub: execa(cmd[0] as string, cmd.slice(1), { reject: false, stdin: 'pipe', stderr: 'ignore' }) };
  })();
  const lines = spawned.then(({ sub }) =>
    readLoad(
      (onLine) => createInterface({ input: sub.stdout }).on('line', onLine),
      sub.then((r) => String(r.exitCode ?? r.signal)),
    ),
  );
  const ready = lines.then((l) => l.ready);
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
    result: lines.then(
      (l) => l.result,
      () => null,
    ),
    kill: () => {
      killed = true;
      void spawned.then(
        ({ sub }) => sub.kill('SIGKILL'),
        () => {},
      );
    },
  };
}

/** One resident generator (`isobench load --serve`) and the load it is running, if any. */
interface Resident {
  sub: ReturnType<typeof execa>;
  ended: Promise<string>;
  gone: boolean;
  /** Where its stdout's lines go: the job in flight's reader. */
  onLine: ((line: string) => void) | null;
}

/**
 * The run's resident load generators: `isobench load --serve` processes in the run's generators'
 * cgroup, each running one trial's load after another, so that no trial starts Node for its
 * generator (about 150 ms of CPU here, next to the containers it loads starting on the same
 * CPUs). A job's sender (isobench-loadgen) is started per trial, through nsenter into the
 * server's network namespace. A generator whose job does not end with its result (a trial that
 * failed or was stopped first) is killed, and the next trial starts a fresh one; one that dies is
 * replaced the same way. `close` ends them all (the end of their stdin).
 */
export class GeneratorPool {
  private readonly idle: Resident[] = [];
  private readonly all = new Set<Resident>();
  /**
   * Set when a job was killed before its result: its sender (isobench-loadgen, a child of the
   * generator) may outlive the generator for a moment, so the run removes the whole cgroup
   * before the next trial (RunGenerators.resetIfDirty), as a trial did with a cgroup of its own.
   */
  dirty = false;
  /** Generator processes started so far (one per run when none was killed or died). */
  started = 0;

  /** `procsFiles`: the generators' cgroup (its cgroup.procs files), read when a generator starts. */
  constructor(private readonly procsFiles: () => Promise<string[]>) {}

  private async take(): Promise<Resident> {
    for (let r = this.idle.pop(); r; r = this.idle.pop()) if (!r.gone) return r;
    const cmd = inCgroup(await this.procsFiles(), loadCommand(['--serve']));
    const sub = execa(cmd[0] as string, cmd.slice(1), {
      reject: false,
      stdin: 'pipe',
      stderr: 'ignore',
      buffer: false,
    });
    const r: Resident = {
      sub,
      ended: sub.then((x) => String(x.exitCode ?? x.signal)),
      gone: false,
      onLine: null,
    };
    createInterface({ input: sub.stdout as NodeJS.ReadableStream }).on('line', (line) => r.onLine?.(line));
    void r.ended.then(() => {
      r.gone = true;
      this.all.delete(r);
    });
    this.all.add(r);
    this.started++;
    return r;
  }

  /** Runs one load on a resident generator; `netns`: the server's (null: the host's). */
  job(argv: string[], netns: Promise<number | null>, userns: boolean): LoadRun {
    let killed = false;
    let finished = false;
    const taken = (async () => {
      const pid = await netns;
      if (killed) throw new Error('the load generator was stopped before it started');
      const r = await this.take();
      const via = pid === null ? [] : netnsPrefix(pid, { userns });
      const lines = readLoad((onLine) => {
        r.onLine = onLine;
      }, r.ended);
      r.sub.stdin?.write(`${JSON.stringify({ argv, via })}\n`);
      // Back to the pool once its result is out (the sender has exited by then); a job without
      // one is killed below.
      void lines.result.then((res) => {
        r.onLine = null;
        if (res && !killed && !r.gone) {
          finished = true;
          this.idle.push(r);
        }
      });
      return { r, lines };
    })();
    taken.catch(() => {});
    const write = (text: string) =>
      void taken.then(
        ({ r }) => r.sub.stdin?.write(text),
        () => {},
      );
    return {
      ready: taken.then(({ lines }) => lines.ready),
      target: (port) => write(`${port}\n`),
      start: (epochMs) => write(`${epochMs}\n`),
      result: taken.then(
        ({ lines }) => lines.result,
        () => null,
      ),
      kill: () => {
        if (finished) return;
        killed = true;
        this.dirty = true;
        void taken.then(
          ({ r }) => {
            r.gone = true;
            r.sub.kill('SIGKILL');
          },
          () => {},
        );
      },
    };
  }

  /** Ends every generator (the end of its stdin; SIGKILL after `graceMs`) and waits for them. */
  async close(graceMs = 5000): Promise<void> {
    const all = [...this.all];
    for (const r of all) r.sub.stdin?.end();
    const timer = setTimeout(() => {
      for (const r of all) r.sub.kill('SIGKILL');
    }, graceMs);
    await Promise.all(all.map((r) => r.ended));
    clearTimeout(timer);
    this.idle.length = 0;
  }
}
