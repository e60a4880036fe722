import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import { encodeHistogram, type LatencySummaryUs, summarizeUs } from '../histogram.js';
import { settledWithin } from '../protocol.js';
import { CLOCK_NICE, PreciseClock } from './clock.js';
import { preconnect } from './connections.js';
import { type IntervalFigures, type Outcome, warmUpIntervalEncoding } from './intervals.js';
import { type Arrivals, dueOffsetsMs, seededRandom } from './schedule.js';
import { runSchedule, type Send } from './scheduler.js';
import { LATE_THRESHOLD_MS, LoadTally } from './tally.js';

/**
 * undici's index loads fetch, WebSocket, cookies and the cache interceptor as well (about
 * 100 ms of this process's start here, measured with hyperfine); the generator needs only Pool
 * (about 30 ms). undici 7 has no exports map, so the file is reachable, and package.json pins
 * the exact version it was checked against.
 */
const Pool = createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof UndiciPool;

export interface LoadOptions {
  url: string;
  rateHz: number;
  durationMs: number;
  /** Upper bound of open sockets; when all are busy, requests wait in undici's queue (and that wait counts). */
  connections?: number;
  warmupMs?: number;
  arrivals?: Arrivals;
  /** Per-request timeout after the request is written. */
  timeoutMs?: number;
  /** After the window closes, in-flight requests get this long to finish (default: timeoutMs). */
  drainMs?: number;
  /** Seed for Poisson arrivals (reproducible schedules). */
  seed?: number;
  /** Schedule start (start of warmup) as a Date.now() instant; default: as soon as run() is called. */
  startAtEpochMs?: number;
  /** Aborting ends the window at that instant: sends stop, in-flight requests drain. */
  signal?: AbortSignal;
  /** Priority of the clock thread (default CLOCK_NICE where allowed; null: unchanged). */
  clockNice?: number | null;
}

export interface LoadWindow {
  /** Start of the schedule (warmup included): start-at when given. */
  scheduleStartEpochMs: number;
  /** Start of the measured window: schedule start + warmup. */
  startEpochMs: number;
  /** End of the measured window: start + duration, or the instant of a stop signal. */
  endEpochMs: number;
  /** 'duration', or the abort reason when it is a string (the CLI passes the signal's name). */
  stopReason: string;
  /** How long the generator waited for the schedule start; negative: start-at had already passed (the first sends were late). */
  startSlackMs: number;
}

export interface LoadResult {
  /** Measured requests sent: those due inside the window. */
  requests: number;
  completed: number;
  /** Transport errors and non-2xx/3xx responses (timeouts and abandoned requests are counted apart). */
  errors: number;
  timeouts: number;
  /** Measured requests sent more than LATE_THRESHOLD_MS after their due time. */
  late: number;
  maxLateMs: number;
  /** The event loop's delay over the schedule (warmup and window), p99, in ms (perf_hooks). */
  loopDelayP99Ms: number;
  warmupRequests: number;
  /** Planned measured requests (rate x duration for uniform arrivals). */
  scheduled: number;
  /** Measured requests in flight when the window closed that finished within the drain time. */
  drained: number;
  /** Measured requests still in flight when the drain time ran out (no latency recorded). */
  abandoned: number;
  achievedRateHz: number;
  window: LoadWindow;
  /** From the due time: includes time the request waited because the generator or the pool was behind. */
  latencyUs: LatencySummaryUs;
  /** From the moment the request was written to a socket: what a closed-loop tool would report. */
  uncorrectedLatencyUs: LatencySummaryUs;
  histograms: { latencyUs: string; uncorrectedLatencyUs: string };
  /** Per second, warmup included, by due time (see intervals.ts). */
  intervals: IntervalFigures[];
}

export { LATE_THRESHOLD_MS };

/** Slack before request 0 when no start instant is given, so it is not late by construction. */
const DEFAULT_START_SLACK_MS = 5;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** A generator with its sockets open and its clock thread running, waiting to be started. */
export interface PreparedLoad {
  /** Sockets opened before the first request. */
  connectionsOpen: number;
  /** Nice value of the clock thread (null: it could not raise its priority). */
  clockNice: number | null;
  /** Runs the schedule once, then closes; `startAtEpochMs` overrides the option of the same name. */
  run(startAtEpochMs?: number): Promise<LoadResult>;
  /** Closes sockets, pool and clock thread without running (run() does it itself). */
  close(): Promise<void>;
}

/**
 * Does everything that can be done before the schedule starts (pool, sockets, clock thread), so
 * a runner can start the generator early and have it start at an instant it picks.
 */
export async function prepareLoad(options: LoadOptions): Promise<PreparedLoad> {
  const url = new URL(options.url);
  const connections = options.connections ?? 16;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clock = new PreciseClock(options.clockNice === undefined ? CLOCK_NICE : options.clockNice);
  const sockets = await preconnect(url, connections, timeoutMs);
  const { nice } = await clock.ready();
  warmUpIntervalEncoding();
  const pool = new Pool(url.origin, {
    connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: sockets.connector,
  });
  let used = false;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      sockets.destroy();
      await pool.destroy().catch(() => {});
      await clock.close();
    })();
    return closed;
  };
  return {
    connectionsOpen: sockets.open(),
    clockNice: nice,
    async run(startAtEpochMs = options.startAtEpochMs) {
      if (used) throw new Error('prepareLoad: run() may be called once');
      used = true;
      try {
        return await execute(options, { url, pool, clock }, startAtEpochMs);
      } finally {
        await close();
      }
    },
    close,
  };
}

/** Open-loop load: prepare, then run at once (or at `startAtEpochMs`). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  return (await prepareLoad(options)).run();
}

/**
 * Date.now() - performance.now(), taken once per run: the start instant and every epoch time in
 * the result use it, so a wall-clock step during the run moves nothing. Date.now() counts whole
 * milliseconds, so it is read at the instant it ticks over (a wait of at most 1 ms, before the
 * schedule starts): the mapping is then right to a few microseconds, not to 1 ms.
 */
function epochToMonotonicOffsetMs(): number {
  const first = Date.now();
  let now = Date.now();
  while (now === first) now = Date.now();
  return now - performance.now();
}

function stopReason(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === 'string' ? signal.reason : 'signal';
}

interface Parts {
  url: URL;
  pool: UndiciPool;
  clock: PreciseClock;
}

async function execute(options: LoadOptions, parts: Parts, startAtEpochMs?: number): Promise<LoadResult> {
  const { url, pool, clock } = parts;
  const warmupMs = options.warmupMs ?? 0;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const offsets = dueOffsetsMs(
    options.rateHz,
    warmupMs + options.durationMs,
    options.arrivals ?? 'uniform',
    random,
  );
  const epochOffsetMs = epochToMonotonicOffsetMs();
  const nowMs = performance.now();
  const startMs =
    startAtEpochMs === undefined ? nowMs + DEFAULT_START_SLACK_MS : startAtEpochMs - epochOffsetMs;
  const windowStartMs = startMs + warmupMs;
  const path = `${url.pathname}${url.search}`;

  const tally = new LoadTally(windowStartMs, warmupMs);
  let abandoning = false;
  let drained: (() => void) | undefined;

  const send = (s: Send) => {
    tally.sent(s);
    let writtenMs = s.sentMs;
    let status = 0;
    const finish = (outcome: Outcome) => {
      tally.finished(s, outcome, writtenMs, performance.now());
      if (tally.outstanding === 0) drained?.();
    };
    const handler: Dispatcher.DispatchHandler = {
      // Called when undici writes the request to a socket, i.e. after any wait in its queue.
      onRequestStart() {
        writtenMs = performance.now();
      },
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData() {},
      onResponseEnd() {
        finish(status >= 200 && status < 400 ? 'completed' : 'error');
      },
      onResponseError(_controller, err) {
        const code = (err as { code?: string }).code ?? '';
        finish(abandoning ? 'abandoned' : TIMEOUT_CODES.has(code) ? 'timeout' : 'error');
      },
    };
    pool.dispatch({ origin: url.origin, path, method: 'GET' }, handler);
  };

  // How late this process's event loop ran during the schedule: a generator whose loop stalls
  // sends late and reads responses late, so the harness judges the trial by it (guards).
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const outcome = await runSchedule(
    offsets,
    { startMs, warmupMs, durationMs: options.durationMs },
    clock,
    send,
    options.signal,
  );

  // Requests due inside the window that are still in flight get the drain time to finish; what is
  // left then is abandoned (destroyed, no latency recorded): a dead server cannot hang us.
  loopDelay.disable();
  const inFlightAtEnd = tally.measuredOutstanding;
  if (tally.outstanding > 0) {
    await settledWithin(new Promise<void>((resolve) => (drained = resolve)), options.drainMs ?? timeoutMs);
  }
  abandoning = true;
  await pool.destroy().catch(() => {});
  const spanEndMs = Math.max(outcome.windowEndMs, tally.lastCompletionMs);
  const measuredSpanMs = spanEndMs - windowStartMs;
  const epoch = (ms: number) => Math.round((ms + epochOffsetMs) * 1000) / 1000;
  return {
    requests: tally.requests,
    completed: tally.completed,
    errors: tally.errors,
    timeouts: tally.timeouts,
    late: tally.late,
    maxLateMs: Math.round(tally.maxLateMs * 1000) / 1000,
    loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1000) / 1000,
    warmupRequests: tally.warmupRequests,
    scheduled: offsets.filter((o) => o >= warmupMs).length,
    drained: inFlightAtEnd - tally.abandoned,
    abandoned: tally.abandoned,
    achievedRateHz: measuredSpanMs > 0 ? (tally.completed * 1000) / measuredSpanMs : 0,
    window: {
      scheduleStartEpochMs: epoch(startMs),
      startEpochMs: epoch(windowStartMs),
      endEpochMs: epoch(outcome.windowEndMs),
      stopReason: outcome.stopped ? stopReason(options.signal) : 'duration',
      startSlackMs: Math.round((startMs - nowMs) * 1000) / 1000,
    },
    latencyUs: summarizeUs(tally.corrected),
    uncorrectedLatencyUs: summarizeUs(tally.uncorrected),
    histograms: {
      latencyUs: encodeHistogram(tally.corrected),
      uncorrectedLatencyUs: encodeHistogram(tally.uncorrected),
    },
    intervals: tally.intervals.result(outcome.sendEndMs),
  };
}
