import { getPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { quote, UsageError } from '../../harness/errors.js';
import type { LatencySummaryUs } from '../histogram.js';
import { LOAD_USAGE, type LoadArgs, parseLoadArgs, parsePort, parseStartAt } from './args.js';
import type { LoadResult } from './run.js';

export { LOAD_USAGE };

const W = 'load';

/**
 * `isobench load URL ...`: runs the open-loop generator and prints JSON (`--json`) or a table.
 *
 * For a runner: the generator first opens its sockets and its clock thread, then prints a ready
 * line (stdout with --json, stderr otherwise) and waits for --start-at (or, with `--start-at
 * stdin`, for a line on stdin carrying the instant), so Node's start-up is off the measured path.
 * SIGTERM/SIGINT end the window at that instant: sends stop, in-flight requests drain (--drain),
 * and the result for what was measured is printed; later signals are ignored until then.
 */
export async function loadMain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`Usage: ${LOAD_USAGE}\n`);
    return 0;
  }
  if (argv[0] === '--serve') return serveMain(argv.slice(1));
  const parsed = parseArgv(argv);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) stop.abort(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const lines = parsed.portFromStdin || parsed.startAt === 'stdin' ? stdinLines() : null;
  try {
    return await runOne(parsed, lines, stop.signal, { closeStdin: true });
  } finally {
    lines?.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

function parseArgv(argv: string[]): LoadArgs {
  try {
    return parseLoadArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError('ISOBENCH_BAD_PARAM', `${W}: ${(err as Error).message}; usage: ${LOAD_USAGE}`, {
      cause: err,
    });
  }
}

/**
 * One load: loads the generator's modules, takes the port and the start instant from `lines`
 * when asked to, runs, prints the result. `closeStdin`: stop reading stdin once the start
 * instant is in (a one-shot process must be free to exit); a resident keeps reading it.
 */
async function runOne(
  parsed: LoadArgs,
  lines: StdinLines | null,
  signal: AbortSignal,
  opts: { closeStdin: boolean; via?: string[] },
): Promise<number> {
  // Imported after the arguments are checked: a bad argument should not wait for the
  // generator's modules (histograms, clock thread, HTTP client) to load.
  const { prepareLoad } = await import('./run.js');
  const url = new URL(parsed.options.url);
  if (parsed.portFromStdin) {
    const line = await lines?.next(signal, '--port stdin: stdin closed before a port');
    // Stopped before it was told where to send: nothing was measured.
    if (line === undefined) return 0;
    url.port = String(parsePort(line));
  }
  const prepared = await prepareLoad({
    ...parsed.options,
    url: url.href,
    signal,
    ...(opts.via?.length ? { via: opts.via } : {}),
  });
  const ready = {
    type: 'ready',
    generator: 'load',
    pid: process.pid,
    engine: parsed.options.engine ?? 'native',
    connectionsOpen: prepared.connectionsOpen,
    clockNice: prepared.clockNice,
    startAt: parsed.startAt ?? null,
  };
  if (parsed.json) process.stdout.write(`${JSON.stringify(ready)}\n`);
  else process.stderr.write(`ready: ${prepared.connectionsOpen} connections open\n`);
  let startAt = parsed.startAt === 'stdin' ? undefined : parsed.startAt;
  if (parsed.startAt === 'stdin') {
    // A stop signal first: start now (the window is already over: the result says so).
    const line = await lines
      ?.next(signal, '--start-at stdin: stdin closed before a start instant')
      .catch(async (err: unknown) => {
        await prepared.close();
        throw err;
      });
    startAt = line === undefined ? undefined : parseStartAt(line, Date.now());
  }
  if (opts.closeStdin) lines?.close();
  const result = await prepared.run(startAt);
  process.stdout.write(
    parsed.json ? `${JSON.stringify({ type: 'result', ...result })}\n` : formatTable(result),
  );
  return 0;
}

/**
 * `isobench load --serve`: a resident generator, so that a run's trials do not each start Node
 * (about 150 ms of CPU here, on the CPUs the trial's containers are starting on). Each job is
 * one JSON line on stdin, `{"argv": [...], "via": [...]}`: `argv` as for a one-shot `isobench
 * load` (a runner's `--port stdin --start-at stdin --json`), whose port and start lines follow on
 * stdin; `via` a command prefix that the native sender is started through (nsenter into the
 * server's network namespace: this process stays in its own, the sender alone enters). Prints
 * each job's ready and result lines, then waits for the next job. Ends at the end of stdin, on
 * SIGTERM/SIGINT (after the job in flight), or after a job that left it at a lower priority than
 * it started at (raising it back needs CAP_SYS_NICE, and the next sender would inherit it).
 */
async function serveMain(rest: string[]): Promise<number> {
  if (rest.length > 0) throw new UsageError('ISOBENCH_BAD_PARAM', `${W}: --serve takes no other argument`);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stop.signal.aborted) stop.abort(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const lines = stdinLines();
  const nice = getPriority(0);
  try {
    for (;;) {
      let line: string | undefined;
      try {
        line = await lines.next(stop.signal, 'stdin closed');
      } catch {
        return 0; // the end of stdin: no more jobs
      }
      if (line === undefined) return 0;
      let job: { argv?: unknown; via?: unknown };
      try {
        job = JSON.parse(line) as typeof job;
      } catch {
        throw new UsageError(
          'ISOBENCH_BAD_PARAM',
          `${W} --serve: a job must be one JSON line, got ${quote(line)}`,
        );
      }
      const strings = (v: unknown): v is string[] =>
        Array.isArray(v) && v.every((x) => typeof x === 'string');
      if (!strings(job.argv) || (job.via !== undefined && !strings(job.via)))
        throw new UsageError(
          'ISOBENCH_BAD_PARAM',
          `${W} --serve: a job is {"argv": [...], "via": [...]}: ${line}`,
        );
      const code = await runOne(parseArgv(job.argv), lines, stop.signal, {
        closeStdin: false,
        via: job.via ?? [],
      });
      if (code !== 0 || stop.signal.aborted || getPriority(0) !== nice) return code;
    }
  } finally {
    lines.close();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

type StdinLines = ReturnType<typeof stdinLines>;

/** stdin's lines one at a time, as a runner writes them (the port, then the start instant). */
function stdinLines() {
  const rl = createInterface({ input: process.stdin });
  const queued: string[] = [];
  let closed = false;
  let waiting: ((line: string | null) => void) | null = null;
  rl.on('line', (line) => (waiting ? waiting(line) : queued.push(line)));
  rl.on('close', () => {
    closed = true;
    waiting?.(null);
  });
  return {
    /** The next line; undefined if `signal` aborts first; rejects when stdin closes first. */
    next(signal: AbortSignal, closedMessage: string): Promise<string | undefined> {
      const line = queued.shift();
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        const done = (l: string | null | undefined) => {
          waiting = null;
          signal.removeEventListener('abort', onAbort);
          if (l === null) reject(new UsageError('ISOBENCH_BAD_PARAM', `${W}: ${closedMessage}`));
          else resolve(l);
        };
        const onAbort = () => done(undefined);
        if (signal.aborted) return done(undefined);
        if (closed) return done(null);
        waiting = done;
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    close() {
      if (!closed) rl.close();
      process.stdin.pause();
    },
  };
}

function formatTable(r: LoadResult): string {
  const row = (name: string, s: LatencySummaryUs) =>
    `${name.padEnd(12)} ${[s.p50, s.p90, s.p99, s.p999, s.max].map((us) => `${(us / 1000).toFixed(2)}ms`.padStart(11)).join('')}`;
  return [
    `requests ${r.requests} (scheduled ${r.scheduled}), completed ${r.completed}, errors ${r.errors}, timeouts ${r.timeouts}, late ${r.late} (max ${r.maxLateMs.toFixed(1)}ms)`,
    `window ${new Date(r.window.startEpochMs).toISOString()} .. ${new Date(r.window.endEpochMs).toISOString()} (${r.window.stopReason}); drained ${r.drained}, abandoned ${r.abandoned}`,
    `achieved ${r.achievedRateHz.toFixed(1)} req/s`,
    `${'latency'.padEnd(12)} ${['p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => h.padStart(11)).join('')}`,
    row('corrected', r.latencyUs),
    row('uncorrected', r.uncorrectedLatencyUs),
    '',
  ].join('\n');
}
