/**
 * Precise waits for the generator without a busy-spin.
 *
 * setTimeout cannot wake the event loop at a sub-millisecond instant: libuv keeps timers in whole
 * milliseconds and sleeps in epoll_wait with a millisecond timeout, so a wake-up lands up to
 * ~1-2 ms after the due time (measured here: 3.5-15% of sends more than 1 ms late at 500-3800/s).
 * Polling with setImmediate fixes that only by spinning a whole core.
 *
 * Instead a worker thread sleeps in Atomics.wait (a futex wait with a microsecond timeout:
 * hrtimer precision plus the kernel's 50 us default timer slack), then posts a message; the
 * message wakes the main loop out of epoll_wait through libuv's async handle (an eventfd), so the
 * main thread sleeps in the kernel too and handles socket I/O while it waits. One wake-up costs a
 * futex wake and a message, a few microseconds on each side.
 *
 * At high rates a wake-up per request would cost more than the requests (a wake-up takes ~0.1 ms
 * here), and polling the loop with setImmediate, which this clock did before, spins a whole core:
 * on a 2-core host that core is taken from the server under test, and the tail it caused was the
 * generator's own (corrected p99 at 16,000-22,000/s mostly 2.3-4.3 ms spinning, 0.35-0.7 ms now,
 * workloads/README.md "Benchmark"). So the generator also pokes the clock after every response
 * it reads (`poke()`): a due request is then sent from that I/O callback, and the clock thread
 * only wakes the loop when no response came in time.
 *
 * Both threads read CLOCK_MONOTONIC (process.hrtime); performance.now() has a per-thread origin,
 * so the main thread hands its origin to the worker.
 *
 * On a shared 2-core host the worker itself can wait for a CPU when it should wake (measured: up
 * to 3-7 ms behind its timeout while other processes run). It uses almost no CPU, so it raises
 * its own priority (nice CLOCK_NICE, per thread: setpriority on its thread id) where allowed
 * (root, or CAP_SYS_NICE); elsewhere it stays at the process's priority.
 */
import { Worker } from 'node:worker_threads';

/** ctl[SEQ]: bumped by the main thread for every new wait; ctl[STOP]: 1 = worker exits. */
const SEQ = 0;
const STOP = 1;

/** The clock thread's nice value when it may raise its priority (-20 is the highest). */
export const CLOCK_NICE = -20;

/**
 * Eval'd source so the same code runs from dist/ and from the .ts sources under vitest (like the
 * cpu antagonist's workers). It waits for a new sequence number, sleeps until that wait's target
 * (restarting if a newer wait supersedes it), then tells the main thread which wait is over.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { ctl, target, originMs, nice } = workerData;
let applied = null;
if (nice !== null) {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, nice);
    applied = nice;
  } catch {}
}
parentPort.postMessage({ nice: applied });
const nowMs = () => Number(process.hrtime.bigint()) / 1e6 - originMs;
let seen = 0;
for (;;) {
  Atomics.wait(ctl, ${SEQ}, seen);
  if (Atomics.load(ctl, ${STOP}) === 1) break;
  seen = Atomics.load(ctl, ${SEQ});
  const dueMs = target[0];
  let superseded = false;
  for (;;) {
    const restMs = dueMs - nowMs();
    if (restMs <= 0) break;
    if (Atomics.wait(ctl, ${SEQ}, seen, restMs) !== 'timed-out' && Atomics.load(ctl, ${SEQ}) !== seen) {
      superseded = true;
      break;
    }
    if (Atomics.load(ctl, ${STOP}) === 1) break;
  }
  if (Atomics.load(ctl, ${STOP}) === 1) break;
  if (!superseded) parentPort.postMessage(seen);
}
`;

export interface Clock {
  /** Milliseconds on the main thread's performance.now() scale. */
  now(): number;
  /**
   * Resolves at or after `atMs`, or soon after `signal` aborts; a caller that needs "never
   * before" re-checks now() (a short wait may resolve after one turn of the event loop).
   */
  waitUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}

/** A clock whose waits a worker thread times; `close()` ends the worker. */
export class PreciseClock implements Clock {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(8));
  private readonly target = new Float64Array(new SharedArrayBuffer(8));
  private readonly worker: Worker;
  private pending: { seq: number; atMs: number; resolve: () => void } | undefined;
  private readonly online: Promise<{ nice: number | null }>;

  /** `nice`: the clock thread's priority (null: leave it at the process's). */
  constructor(nice: number | null = CLOCK_NICE) {
    // performance.now() = (hrtime - origin) / 1e6 on this thread: sample the origin between two reads.
    const before = performance.now();
    const hrMs = Number(process.hrtime.bigint()) / 1e6;
    const after = performance.now();
    const originMs = hrMs - (before + after) / 2;
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ctl: this.ctl, target: this.target, originMs, nice },
    });
    let hello: ((info: { nice: number | null }) => void) | undefined;
    this.worker.on('message', (seq: number | { nice: number | null }) => {
      if (typeof seq !== 'number') return hello?.(seq);
      if (this.pending?.seq !== seq) return;
      const { resolve } = this.pending;
      this.pending = undefined;
      resolve();
    });
    this.online = new Promise((resolve, reject) => {
      hello = resolve;
      this.worker.once('error', reject);
    });
    this.online.catch(() => {});
  }

  /**
   * Resolves once the worker thread runs (its start-up is then off the measured path), with the
   * nice value it got (null: unchanged).
   */
  ready(): Promise<{ nice: number | null }> {
    return this.online;
  }

  now(): number {
    return performance.now();
  }

  /**
   * Ends the pending wait now if its instant has passed. The generator calls it after every
   * response it reads: at high rates responses arrive every few tens of microseconds, so the
   * send loop rides on them and the clock thread's wake-up (~0.1 ms) is only the fallback.
   */
  poke(): void {
    const p = this.pending;
    if (p !== undefined && performance.now() >= p.atMs) p.resolve();
  }

  waitUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    const waitMs = atMs - performance.now();
    if (signal?.aborted || waitMs <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      // The target is written before the sequence number is bumped: the worker reads the
      // target only after it has seen the new number (Atomics order the two).
      this.target[0] = atMs;
      const seq = Atomics.add(this.ctl, SEQ, 1) + 1;
      const onAbort = () => finish();
      const finish = () => {
        signal?.removeEventListener('abort', onAbort);
        if (this.pending?.seq === seq) this.pending = undefined;
        resolve();
      };
      this.pending = { seq, atMs, resolve: finish };
      Atomics.notify(this.ctl, SEQ);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    Atomics.store(this.ctl, STOP, 1);
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    await this.worker.terminate();
  }
}
