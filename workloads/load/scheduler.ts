/**
 * The open-loop send loop, apart from sockets and real time so it can be tested with a clock the
 * test controls: request i is due at startMs + offsets[i] whatever happened to earlier requests.
 * When the loop wakes up late it sends every request that is due, in a burst, and the caller
 * counts the late ones; it never stretches the schedule (that would be coordinated omission).
 */
import type { Clock } from './clock.js';

export interface ScheduleWindow {
  /** Due time of offsets[0] (the start of warmup), on the clock's scale. */
  startMs: number;
  warmupMs: number;
  durationMs: number;
}

export interface Send {
  index: number;
  dueMs: number;
  /** clock.now() when the request is handed to the transport. */
  sentMs: number;
  /** Due inside the measured window (after warmup). */
  measured: boolean;
}

export interface ScheduleOutcome {
  sent: number;
  /** Start of the measured window: startMs + warmupMs. */
  windowStartMs: number;
  /**
   * End of the measured window: startMs + warmupMs + durationMs, or the instant of the stop if
   * `signal` aborted first (never before windowStartMs). Nothing due at or after it is sent.
   */
  windowEndMs: number;
  /** Sends stopped here: windowEndMs, or the stop instant if it came during warmup. */
  sendEndMs: number;
  stopped: boolean;
}

/**
 * Sends every request due in [startMs, window end) once, in order, none before its due time.
 * `signal` ends the window at the instant it aborts (clock.now() then); requests already due by
 * that instant are still sent (they fell due inside the window), later ones never are.
 */
export async function runSchedule(
  offsets: Float64Array,
  window: ScheduleWindow,
  clock: Clock,
  send: (s: Send) => void,
  signal?: AbortSignal,
): Promise<ScheduleOutcome> {
  const windowStartMs = window.startMs + window.warmupMs;
  const plannedEndMs = windowStartMs + window.durationMs;
  let stopAtMs = Number.POSITIVE_INFINITY;
  const onAbort = () => {
    stopAtMs = clock.now();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let i = 0;
  try {
    while (i < offsets.length) {
      const endMs = Math.min(plannedEndMs, stopAtMs);
      let dueMs = window.startMs + (offsets[i] ?? 0);
      if (dueMs >= endMs) break;
      let nowMs = clock.now();
      while (dueMs <= nowMs && dueMs < endMs) {
        send({ index: i, dueMs, sentMs: nowMs, measured: dueMs >= windowStartMs });
        i++;
        if (i >= offsets.length) break;
        dueMs = window.startMs + (offsets[i] ?? 0);
        nowMs = clock.now();
      }
      if (i >= offsets.length || dueMs >= endMs) break;
      await clock.waitUntil(dueMs, signal);
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const sendEndMs = Math.min(plannedEndMs, stopAtMs);
  return {
    sent: i,
    windowStartMs,
    windowEndMs: Math.max(windowStartMs, sendEndMs),
    sendEndMs,
    stopped: stopAtMs < plannedEndMs,
  };
}
