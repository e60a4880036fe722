import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeHistogram, type LatencySummaryUs, summarizeUs } from '../histogram.js';
import { settledWithin } from '../protocol.js';
import { CLOCK_NICE, PreciseClock } from './clock.js';
import { KeepAlivePool, type PoolEvents } from './http-pool.js';
import { type IntervalFigures, warmUpIntervalEncoding } from './intervals.js';
import { type Arrivals, dueOffsetsMs, seededRandom } from './schedule.js';
import { runSchedule, type Send } from './scheduler.js';
import { LATE_THRESHOLD_MS, LoadTally } from './tally.js';

export interface LoadOptions {
  /**
   * A command prefix the native sender is started through (`nsenter --net=... --`: a resident
   * generator's sender enters its server's network namespace, the generator does not). Native
   * engine only.
   */
  via?: string[];
  url: string;
  rateHz: number;
  durationMs: number;
  /** Upper bound of open sockets; when all are busy, requests wait in the pool's queue (and that wait counts). */
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
  /** Priority of the clock thread (default CLOCK_NICE where allowed; null: unchanged). Node engine only. */
  clockNice?: number | null;
  /**
   * Who sends: 'native' (default: isobench-loadgen, a C loop, native.ts) or 'node' (this file's
   * event loop, clock thread and KeepAlivePool). Both fill the same tally and result.
   */
  engine?: LoadEngine;
  /**
   * Native engine: nice value of the calling thread (the bookkeeping) during run() (default
   * BOOKS_NICE, 19; null: unchanged). Only ever lowers the priority, and restores it after where
   * allowed. See native.ts.
   */
  booksNice?: number | null;
  /**
   * Native engine: a second sending thread on another CPU that sends what the loop has not sent
   * 0.4 ms after its due time (loadgen.c, "the standby"). 'auto' (default): where the generator
   * may use 2 or more CPUs, the host has steal time and the rate is at most 2,500/s; 'on': with 2
   * or more CPUs; 'off': never.
   */
  standby?: Standby;
}

export type Standby = 'auto' | 'on' | 'off';

export type LoadEngine = 'native' | 'node';
export const LOAD_ENGINES: readonly LoadEngine[] = ['native', 'node'];

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
  /**
   * Native engine: measured requests the standby thread sent because the loop had not sent them
   * 0.4 ms after their due time; null where no standby ran (the Node engine, one CPU, 'off', or
   * 'auto' on a host without steal).
   */
  standbySends?: number | null;
}

export { LATE_THRESHOLD_MS };

/** Slack before request 0 when no start instant is given, so it is not late by construction. */
const DEFAULT_START_SLACK_MS = 5;

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
  if ((options.engine ?? 'native') === 'native') {
    const { prepareNativeLoad } = await import('./native.js');
    return prepareNativeLoad(options);
  }
  if (options.via?.length) throw new Error('prepareLoad: `via` needs the native engine');
  const url = new URL(options.url);
  const connections = options.connections ?? 16;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const clock = new PreciseClock(options.clockNice === undefined ? CLOCK_NICE : options.clockNice);
  // The pool reports to whatever execute() puts here (nothing is sent before it does).
  const events: PoolEvents<Send> = { done() {} };
  const pool = new KeepAlivePool<Send>({ url, connections, timeoutMs }, events);
  const connectionsOpen = await pool.preconnect();
  const { nice } = await clock.ready().catch(async (err: unknown) => {
    pool.destroy();
    await clock.close();
    throw err;
  });
  warmUpIntervalEncoding();
  let used = false;
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      pool.destroy();
      await clock.close();
    })();
    return closed;
  };
  return {
    connectionsOpen,
    clockNice: nice,
    async run(startAtEpochMs = options.startAtEpochMs) {
      if (used) throw new Error('prepareLoad: run() may be called once');
      used = true;
      try {
        return await execute(options, { pool, events, clock }, startAtEpochMs);
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
  pool: KeepAlivePool<Send>;
  events: PoolEvents<Send>;
  clock: PreciseClock;
}

async function execute(options: LoadOptions, parts: Parts, startAtEpochMs?: number): Promise<LoadResult> {
  const { pool, events, clock } = parts;
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

  const tally = new LoadTally(windowStartMs, warmupMs);
  let drained: (() => void) | undefined;
  events.done = (s, outcome, writtenMs, doneMs) => {
    tally.finished(s, outcome, writtenMs, doneMs);
    if (tally.outstanding === 0) drained?.();
    // A response is the most frequent wake-up at high rates: send what fell due meanwhile.
    clock.poke();
  };
  const send = (s: Send) => {
    tally.sent(s);
    pool.request(s);
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
  pool.destroy();
  return loadResult({
    tally,
    offsets,
    warmupMs,
    windowStartMs,
    windowEndMs: outcome.windowEndMs,
    sendEndMs: outcome.sendEndMs,
    startMs,
    nowMs,
    epochOffsetMs,
    stopReason: outcome.stopped ? stopReason(options.signal) : 'duration',
    loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1000) / 1000,
    inFlightAtEnd,
  });
}

/** What an engine hands over at the end of a run; times on the engine's clock, in ms. */
export interface RunFigures {
  tally: LoadTally;
  offsets: Float64Array;
  warmupMs: number;
  windowStartMs: number;
  windowEndMs: number;
  sendEndMs: number;
  startMs: number;
  /** When the run was asked to start (for startSlackMs). */
  nowMs: number;
  /** Date.now() minus the engine's clock. */
  epochOffsetMs: number;
  stopReason: string;
  loopDelayP99Ms: number;
  /** Measured requests in flight when the sends ended (they then had the drain time). */
  inFlightAtEnd: number;
}

/** The LoadResult of a run, the same for both engines. */
export function loadResult(f: RunFigures): LoadResult {
  const { tally, warmupMs, windowStartMs } = f;
  const spanEndMs = Math.max(f.windowEndMs, tally.lastCompletionMs);
  const measuredSpanMs = spanEndMs - windowStartMs;
  const epoch = (ms: number) => Math.round((ms + f.epochOffsetMs) * 1000) / 1000;
  return {
    requests: tally.requests,
    completed: tally.completed,
    errors: tally.errors,
    timeouts: tally.timeouts,
    late: tally.late,
    maxLateMs: Math.round(tally.maxLateMs * 1000) / 1000,
    loopDelayP99Ms: f.loopDelayP99Ms,
    warmupRequests: tally.warmupRequests,
    scheduled: f.offsets.filter((o) => o >= warmupMs).length,
    drained: f.inFlightAtEnd - tally.abandoned,
    abandoned: tally.abandoned,
    achievedRateHz: measuredSpanMs > 0 ? (tally.completed * 1000) / measuredSpanMs : 0,
    window: {
      scheduleStartEpochMs: epoch(f.startMs),
      startEpochMs: epoch(windowStartMs),
      endEpochMs: epoch(f.windowEndMs),
      stopReason: f.stopReason,
      startSlackMs: Math.round((f.startMs - f.nowMs) * 1000) / 1000,
    },
    latencyUs: summarizeUs(tally.corrected),
    uncorrectedLatencyUs: summarizeUs(tally.uncorrected),
    histograms: {
      latencyUs: encodeHistogram(tally.corrected),
      uncorrectedLatencyUs: encodeHistogram(tally.uncorrected),
    },
    intervals: tally.intervals.result(f.sendEndMs),
  };
}
