/**
 * The send loop and its bookkeeping driven by a clock the test controls: every lateness here is
 * scripted, so the late counts are exact and nothing depends on the machine's speed.
 */
import { describe, expect, it } from 'vitest';
import { decodeHistogram } from '../histogram.js';
import type { Clock } from './clock.js';
import { dueOffsetsMs } from './schedule.js';
import { runSchedule, type Send } from './scheduler.js';
import { LoadTally } from './tally.js';

/** now() is whatever the test says; each wait wakes `lateByMs(n)` after its target (n = wait count). */
class ScriptedClock implements Clock {
  nowMs = 0;
  waits = 0;
  constructor(private readonly lateByMs: (n: number) => number = () => 0) {}
  now(): number {
    return this.nowMs;
  }
  async waitUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.nowMs = Math.max(this.nowMs, atMs + this.lateByMs(this.waits++));
  }
}

function run(
  rateHz: number,
  window: { startMs: number; warmupMs: number; durationMs: number },
  clock: Clock,
  signal?: AbortSignal,
  onSend?: (s: Send) => void,
) {
  const offsets = dueOffsetsMs(rateHz, window.warmupMs + window.durationMs, 'uniform');
  const sends: Send[] = [];
  const tally = new LoadTally(window.startMs + window.warmupMs, window.warmupMs);
  const done = runSchedule(
    offsets,
    window,
    clock,
    (s) => {
      sends.push(s);
      tally.sent(s);
      onSend?.(s);
    },
    signal,
  );
  return done.then((outcome) => ({ outcome, sends, tally }));
}

describe('runSchedule with a scripted clock', () => {
  it('sends every request due in the window exactly once, in order, never before its due time', async () => {
    const clock = new ScriptedClock(() => 0.3);
    const { outcome, sends, tally } = await run(200, { startMs: 10, warmupMs: 500, durationMs: 2000 }, clock);
    expect(sends.length).toBe(500);
    expect(sends.map((s) => s.index)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(sends.filter((s) => s.sentMs < s.dueMs)).toEqual([]);
    expect(tally.warmupRequests).toBe(100);
    expect(tally.requests).toBe(400);
    expect(tally.late).toBe(0);
    expect(outcome).toMatchObject({ windowStartMs: 510, windowEndMs: 2510, stopped: false, sent: 500 });
  });

  it('counts exactly the scripted late wake-ups, and sends a burst after a stall without stretching the schedule', async () => {
    // 100/s: one request per 10 ms. Every 10th wait wakes 3 ms late (1 late send each); wait 50
    // wakes 35 ms late: the requests due at +0, +10, +20, +30 ms go out together, all late.
    const clock = new ScriptedClock((n) => (n === 50 ? 35 : n % 10 === 9 ? 3 : 0.5));
    const { sends, tally } = await run(100, { startMs: 0, warmupMs: 0, durationMs: 2000 }, clock);
    expect(sends.length).toBe(200);
    // Request 0 is due at the start (no wait); wait n wakes request n + 1 up to the burst (wait 50
    // sends requests 51-54), then request n + 4: waits 0..195 in all.
    const burst = sends.filter((s) => s.sentMs === sends[51]?.sentMs);
    expect(burst.map((s) => s.index)).toEqual([51, 52, 53, 54]);
    expect(burst.map((s) => Math.round(s.sentMs - s.dueMs))).toEqual([35, 25, 15, 5]);
    // 19 waits n % 10 === 9 in 0..195 (one late send each) + the 4 of the burst.
    expect(tally.late).toBe(23);
    expect(tally.maxLateMs).toBe(35);
    // Due times stay on the grid: i / rate, whatever the lateness.
    expect(sends.every((s, i) => s.dueMs === (i * 1000) / 100)).toBe(true);
  });

  it('a stop ends the window at that instant: what fell due before it is sent, nothing after', async () => {
    const stop = new AbortController();
    const clock = new ScriptedClock(() => 0.2);
    const { outcome, sends, tally } = await run(
      100,
      { startMs: 0, warmupMs: 1000, durationMs: 10_000 },
      clock,
      stop.signal,
      (s) => {
        // The signal arrives 4 ms after request 250 was sent (inside the measured window).
        if (s.index === 250) {
          clock.nowMs += 4;
          stop.abort('SIGTERM');
        }
      },
    );
    expect(outcome.stopped).toBe(true);
    expect(outcome.windowEndMs).toBe((sends[250]?.sentMs ?? Number.NaN) + 4);
    expect(sends.length).toBe(251);
    expect(tally.requests).toBe(151);
    expect(sends.every((s) => s.dueMs < outcome.windowEndMs)).toBe(true);
  });

  it('a stop before the start sends nothing and leaves an empty window', async () => {
    const stop = new AbortController();
    stop.abort('SIGINT');
    const { outcome, sends } = await run(
      100,
      { startMs: 50, warmupMs: 500, durationMs: 1000 },
      new ScriptedClock(),
      stop.signal,
    );
    expect(sends.length).toBe(0);
    expect(outcome).toMatchObject({ sent: 0, windowStartMs: 550, windowEndMs: 550, stopped: true });
  });
});

describe('LoadTally intervals', () => {
  it('files each request under the second it was due in, warmup included, and sums to the totals', async () => {
    const clock = new ScriptedClock((n) => (n % 100 === 0 ? 2 : 0.1));
    const { outcome, sends, tally } = await run(100, { startMs: 0, warmupMs: 500, durationMs: 2500 }, clock);
    // Every request completes 5 ms after it was sent, except one error per second; the request
    // due 1990 ms after the window start completes 1.5 s later: it still counts in [1000, 2000).
    for (const s of sends) {
      const slow = s.dueMs === 500 + 1990;
      const outcome = s.index % 100 === 7 ? 'error' : 'completed';
      tally.finished(s, outcome, s.sentMs, s.sentMs + (slow ? 1500 : 5));
    }
    const intervals = tally.intervals.result(outcome.sendEndMs);
    expect(intervals.map((i) => [i.startMs, i.durationMs, i.warmup])).toEqual([
      [-500, 500, true],
      [0, 1000, false],
      [1000, 1000, false],
      [2000, 500, false],
    ]);
    expect(intervals.map((i) => i.requests)).toEqual([50, 100, 100, 50]);
    expect(intervals.reduce((a, i) => a + i.requests, 0)).toBe(tally.requests + tally.warmupRequests);
    expect(intervals.reduce((a, i) => a + i.late, 0)).toBe(
      sends.filter((s) => s.sentMs - s.dueMs > 1).length,
    );
    expect(intervals.slice(1).reduce((a, i) => a + i.errors, 0)).toBe(tally.errors);
    for (const i of intervals) {
      expect(i.completed + i.errors + i.timeouts + i.abandoned).toBe(i.requests);
      expect(decodeHistogram(i.histogram).totalCount).toBe(i.completed);
    }
    expect(intervals[2]?.latencyUs.max).toBeGreaterThanOrEqual(1_500_000);
    expect(intervals[3]?.latencyUs.max).toBeLessThan(1_000_000);
  });
});
