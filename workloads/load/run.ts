import { createRequire } from 'node:module';
import type { Dispatcher, Pool as UndiciPool } from 'undici';
import {
  encodeHistogram,
  type LatencySummaryUs,
  newLatencyHistogramUs,
  recordMs,
  summarizeUs,
} from '../histogram.js';
import { settledWithin, sleepMs } from '../protocol.js';
import { type Arrivals, dueOffsetsMs, seededRandom } from './schedule.js';

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
  /** Per-request timeout after the request is written; also how long we wait for stragglers at the end. */
  timeoutMs?: number;
  /** Seed for Poisson arrivals (reproducible schedules). */
  seed?: number;
}

export interface LoadResult {
  /** Measured (post-warmup) requests sent. */
  requests: number;
  completed: number;
  /** Transport errors and non-2xx/3xx responses (timeouts are counted separately). */
  errors: number;
  timeouts: number;
  /** Measured requests sent more than LATE_THRESHOLD_MS after their due time. */
  late: number;
  maxLateMs: number;
  warmupRequests: number;
  /** Planned measured requests (rate x duration for uniform arrivals). */
  scheduled: number;
  achievedRateHz: number;
  /** From the due time: includes time the request waited because the generator or the pool was behind. */
  latencyUs: LatencySummaryUs;
  /** From the moment the request was written to a socket: what a closed-loop tool would report. */
  uncorrectedLatencyUs: LatencySummaryUs;
  histograms: { latencyUs: string; uncorrectedLatencyUs: string };
}

/** A send more than this behind schedule is counted as late. */
export const LATE_THRESHOLD_MS = 1;
/**
 * Waiting: setTimeout has 1 ms granularity, so for >= 1 ms we sleep floor(wait); between this
 * and 1 ms we sleep one timer tick (<= ~0.75 ms late); only the last SPIN_BELOW_MS are spent
 * yielding with setImmediate (I/O still runs). A longer spin looked better on an idle host but
 * on a contended one the scheduler punishes the spinning process with stalls of 100s of ms.
 */
const SPIN_BELOW_MS = 0.25;

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Open-loop load: request i is due at t0 + offset[i] whatever happened to earlier requests.
 * When the loop wakes up late it sends every request that is due, in a burst, and counts the
 * late ones; it never stretches the schedule (that would be coordinated omission).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const connections = options.connections ?? 16;
  const warmupMs = options.warmupMs ?? 0;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const random = options.seed === undefined ? Math.random : seededRandom(options.seed);
  const offsets = dueOffsetsMs(
    options.rateHz,
    warmupMs + options.durationMs,
    options.arrivals ?? 'uniform',
    random,
  );
  const path = `${url.pathname}${url.search}`;
  const pool = new Pool(url.origin, {
    connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: timeoutMs,
  });

  const corrected = newLatencyHistogramUs();
  const uncorrected = newLatencyHistogramUs();
  const counts = { requests: 0, completed: 0, errors: 0, timeouts: 0, late: 0, warmup: 0, outstanding: 0 };
  let maxLateMs = 0;
  let lastCompletionMs = 0;
  let drained: (() => void) | undefined;

  const send = (dueMs: number, measured: boolean) => {
    counts.outstanding++;
    let writtenMs = performance.now();
    let status = 0;
    const finish = (err?: Error) => {
      counts.outstanding--;
      const nowMs = performance.now();
      if (measured) {
        if (err) {
          const code = (err as { code?: string }).code ?? '';
          if (TIMEOUT_CODES.has(code) || code === 'UND_ERR_DESTROYED' || code === 'UND_ERR_ABORTED')
            counts.timeouts++;
          else counts.errors++;
        } else if (status < 200 || status >= 400) {
          counts.errors++;
        } else {
          counts.completed++;
          recordMs(corrected, nowMs - dueMs);
          recordMs(uncorrected, nowMs - writtenMs);
          lastCompletionMs = nowMs;
        }
      }
      if (counts.outstanding === 0) drained?.();
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
        finish();
      },
      onResponseError(_controller, err) {
        finish(err);
      },
    };
    pool.dispatch({ origin: url.origin, path, method: 'GET' }, handler);
  };

  const t0Ms = performance.now() + 5; // a little slack so request 0 is not late by construction
  const measureStartMs = t0Ms + warmupMs;
  let i = 0;
  while (i < offsets.length) {
    const nowMs = performance.now();
    let nextDueMs = t0Ms + (offsets[i] ?? 0);
    while (nextDueMs <= nowMs) {
      const measured = nextDueMs >= measureStartMs;
      const lateMs = nowMs - nextDueMs;
      if (measured) {
        counts.requests++;
        if (lateMs > LATE_THRESHOLD_MS) counts.late++;
        if (lateMs > maxLateMs) maxLateMs = lateMs;
      } else {
        counts.warmup++;
      }
      send(nextDueMs, measured);
      i++;
      if (i >= offsets.length) break;
      nextDueMs = t0Ms + (offsets[i] ?? 0);
    }
    if (i >= offsets.length) break;
    const waitMs = nextDueMs - performance.now();
    if (waitMs >= 1) await sleepMs(Math.floor(waitMs));
    else if (waitMs > SPIN_BELOW_MS) await sleepMs(0);
    else await new Promise((resolve) => setImmediate(resolve));
  }
  const scheduleEndMs = t0Ms + warmupMs + options.durationMs;

  // Stragglers get one timeout to finish; whatever is still queued after that is abandoned and
  // counted as a timeout (a dead server must not keep the generator alive forever).
  if (counts.outstanding > 0) {
    await settledWithin(new Promise<void>((resolve) => (drained = resolve)), timeoutMs);
  }
  await pool.destroy().catch(() => {});
  const endMs = Math.max(scheduleEndMs, lastCompletionMs);
  const measuredSpanMs = endMs - measureStartMs;
  return {
    requests: counts.requests,
    completed: counts.completed,
    errors: counts.errors,
    timeouts: counts.timeouts,
    late: counts.late,
    maxLateMs: Math.round(maxLateMs * 1000) / 1000,
    warmupRequests: counts.warmup,
    scheduled: offsets.filter((o) => o >= warmupMs).length,
    achievedRateHz: measuredSpanMs > 0 ? (counts.completed * 1000) / measuredSpanMs : 0,
    latencyUs: summarizeUs(corrected),
    uncorrectedLatencyUs: summarizeUs(uncorrected),
    histograms: { latencyUs: encodeHistogram(corrected), uncorrectedLatencyUs: encodeHistogram(uncorrected) },
  };
}
