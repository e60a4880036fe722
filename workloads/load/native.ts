/**
 * The native engine: the sending loop runs in isobench-loadgen (native/loadgen.c: schedule,
 * sockets, response framing), this process keeps the books. Each event comes back as a 32-byte
 * record (due, sent, written and done instants on CLOCK_MONOTONIC, outcome) and goes into the
 * same LoadTally as the Node engine's, so both engines produce the same LoadResult from the same
 * code (run.ts `loadResult`). Why a C loop: see the comment at the top of loadgen.c.
 *
 * Times: the records carry CLOCK_MONOTONIC nanoseconds; here they are milliseconds on the same
 * clock (process.hrtime is CLOCK_MONOTONIC), and Date.now() is mapped to it once per run.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostError } from '../../harness/errors.js';
import type { Outcome } from './intervals.js';
import type { LoadOptions, LoadResult, PreparedLoad } from './run.js';
import { loadResult } from './run.js';
import { dueOffsetsMs, seededRandom } from './schedule.js';
import type { Send } from './scheduler.js';
import { LoadTally } from './tally.js';

const REC_BYTES = 32;
const REC_READY = 1;
const REC_SENT = 2;
const REC_DONE = 3;
const REC_END = 4;
const REC_SENDS_ENDED = 5;
const REC_STANDBY = 6;
/** REC_SENT's flag: the standby thread sent it (loadgen.c, "the standby"). */
const SENT_BY_STANDBY = 2;
const OUTCOMES: Outcome[] = ['completed', 'error', 'timeout', 'abandoned'];
/** INT64_MIN (a request that never reached a socket), as int64() reads it. */
const NEVER = -(2 ** 63);

/**
 * A little-endian int64 as a number, without a BigInt per field (the bookkeeping reads three per
 * record, up to ~100,000 records a second): CLOCK_MONOTONIC nanoseconds stay far below 2^53.
 */
function int64(buf: Buffer, at: number): number {
  return buf.readInt32LE(at + 4) * 2 ** 32 + buf.readUInt32LE(at);
}

/**
 * Nice value of this process's main thread while a native run is under way (restored after where
 * the process may: raising it back needs CAP_SYS_NICE). Its work (reading records, the tally) can
 * wait; the sending loop, started before at the caller's priority, and the server it loads cannot.
 * At 22,930/s here (3 pairs, interleaved): corrected p99 0.78, 0.63, 0.41 ms against 1.49, 0.72,
 * 0.64 ms at the caller's priority.
 */
export const BOOKS_NICE = 19;

/** Slack before request 0 when no start instant is given (as the Node engine). */
const DEFAULT_START_SLACK_MS = 5;

let binPath: string | undefined;

/** dist/bin/isobench-loadgen, built by scripts/build-native.mjs. */
export function loadgenBinary(): string {
  if (binPath) return binPath;
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/workloads/load/ (tsc's output) and workloads/load/ (sources, under vitest).
  const candidates = [
    join(here, '../../bin/isobench-loadgen'),
    join(here, '../../dist/bin/isobench-loadgen'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) {
    throw new HostError(
      'ISOBENCH_NO_LOADGEN',
      `isobench-loadgen is not built (looked in ${candidates.join(', ')}): run npm run build`,
    );
  }
  binPath = found;
  return found;
}

const monoMs = () => Number(process.hrtime.bigint()) / 1e6;

/** Date.now() - monoMs(), read when Date.now() ticks over (right to microseconds, not to 1 ms). */
function epochToMonoOffsetMs(): number {
  const first = Date.now();
  let now = Date.now();
  while (now === first) now = Date.now();
  return now - monoMs();
}

interface End {
  windowEndMs: number;
  sendEndMs: number;
  wakeP99Ms: number;
  stopped: boolean;
}

export async function prepareNativeLoad(options: LoadOptions): Promise<PreparedLoad> {
  const url = new URL(options.url);
  const connections = options.connections ?? 16;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const arrivals = options.arrivals ?? 'uniform';
  // Poisson arrivals need a seed both sides know: `scheduled` is counted here from the same draw.
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const args = [
    host,
    url.port || '80',
    `${url.pathname}${url.search}`,
    url.host,
    String(connections),
    String(Math.max(1, Math.round(timeoutMs))),
    String(options.rateHz),
    String(options.warmupMs ?? 0),
    String(options.durationMs),
    arrivals,
    String(seed >>> 0),
    String(Math.max(0, Math.round(options.drainMs ?? timeoutMs))),
    options.standby ?? 'auto',
  ];
  const via = options.via ?? [];
  const argv = [...via, loadgenBinary(), ...args];
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    // A spawn that fails (not executable, say) may never close: its error is the reason.
    child.once('error', (err) => {
      stderr += err.message;
      resolve({ code: null, signal: null });
    });
  });
  child.stdin?.on('error', () => {});

  let onRecord: (kind: number, flags: number, index: number, due: number, a: number, b: number) => void =
    () => {};
  let pending: Buffer | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    for (; at + REC_BYTES <= buf.length; at += REC_BYTES) {
      onRecord(
        buf[at] as number,
        buf[at + 1] as number,
        buf.readUInt32LE(at + 4),
        int64(buf, at + 8),
        int64(buf, at + 16),
        int64(buf, at + 24),
      );
    }
    buf = buf.subarray(at);
    pending = buf.length ? Buffer.from(buf) : undefined;
  });

  const failure = async (what: string) => {
    const { code, signal } = await exited;
    return new Error(
      `isobench-loadgen ${what} (exit ${signal ?? code})${stderr.trim() ? `: ${stderr.trim()}` : ''}`,
    );
  };

  let standby = false;
  const connectionsOpen = await new Promise<number>((resolve, reject) => {
    onRecord = (kind, _flags, index) => {
      if (kind === REC_STANDBY) standby = true;
      else if (kind === REC_READY) resolve(index);
    };
    exited.then(async () => reject(await failure('exited before it was ready')));
  });

  let used = false;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      child.stdin?.end();
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(kill);
    })();
    return closed;
  };

  return {
    connectionsOpen,
    // The sending loop runs at the process's priority (a raised one took the CPU from the server
    // it loads: workloads/README.md, "Right of way").
    clockNice: null,
    async run(startAtEpochMs = options.startAtEpochMs) {
      if (used) throw new Error('prepareLoad: run() may be called once');
      used = true;
      const niceBefore = getPriority(0);
      const booksNice = options.booksNice === undefined ? BOOKS_NICE : options.booksNice;
      if (booksNice !== null && booksNice > niceBefore) setPriority(0, booksNice);
      try {
        return await execute(startAtEpochMs);
      } finally {
        try {
          if (getPriority(0) !== niceBefore) setPriority(0, niceBefore);
        } catch {}
        await close();
      }
    },
    close,
  };

  async function execute(startAtEpochMs: number | undefined): Promise<LoadResult> {
    const warmupMs = options.warmupMs ?? 0;
    const offsets = dueOffsetsMs(options.rateHz, warmupMs + options.durationMs, arrivals, seededRandom(seed));
    const epochOffsetMs = epochToMonoOffsetMs();
    const nowMs = monoMs();
    const startMs =
      startAtEpochMs === undefined ? nowMs + DEFAULT_START_SLACK_MS : startAtEpochMs - epochOffsetMs;
    const startNs = BigInt(Math.round(startMs * 1e6));
    // The window starts where loadgen puts it (rounded to the ns from the same figures).
    const windowStartMs = Number(startNs + BigInt(Math.round(warmupMs * 1e6))) / 1e6;
    const tally = new LoadTally(windowStartMs, warmupMs);
    const ms = (ns: number) => ns / 1e6;

    let inFlightAtEnd = 0;
    let standbySends = 0;
    const end = new Promise<End>((resolve, reject) => {
      onRecord = (kind, flags, index, due, a, b) => {
        if (kind === REC_SENT) {
          tally.sent({ index, dueMs: ms(due), sentMs: ms(a), measured: (flags & 1) === 1 });
          if ((flags & (1 | SENT_BY_STANDBY)) === (1 | SENT_BY_STANDBY)) standbySends++;
        } else if (kind === REC_DONE) {
          const s: Send = { index, dueMs: ms(due), sentMs: Number.NaN, measured: (flags & 0x80) !== 0 };
          tally.finished(s, OUTCOMES[flags & 0x7f] ?? 'error', a === NEVER ? Number.NaN : ms(a), ms(b));
        } else if (kind === REC_SENDS_ENDED) {
          inFlightAtEnd = index;
        } else if (kind === REC_END) {
          resolve({ windowEndMs: ms(due), sendEndMs: ms(a), wakeP99Ms: ms(b), stopped: flags === 1 });
        }
      };
      exited.then(async () => reject(await failure('exited before the end of its run')));
    });

    const stop = () => child.stdin?.write(`stop ${process.hrtime.bigint()}\n`);
    const { signal } = options;
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop, { once: true });
    child.stdin?.write(`start ${startNs}\n`);
    let e: End;
    try {
      e = await end;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    const result = loadResult({
      tally,
      offsets,
      warmupMs,
      windowStartMs,
      windowEndMs: e.windowEndMs,
      sendEndMs: e.sendEndMs,
      startMs,
      nowMs,
      epochOffsetMs,
      stopReason: e.stopped ? (typeof signal?.reason === 'string' ? signal.reason : 'signal') : 'duration',
      loopDelayP99Ms: e.wakeP99Ms,
      inFlightAtEnd,
    });
    return { ...result, standbySends: standby ? standbySends : null };
  }
}
