/**
 * The timers isobench needs, in one place: a sleep that an AbortSignal cuts short, and a race of
 * a promise against a deadline and a signal that always clears its timer and listener (a pending
 * timer keeps Node alive, and a listener per trial on a run-long signal piles up). Workloads use
 * these too: like units and errors, this module has no dependencies.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(Math.max(0, ms), undefined, signal ? { signal } : undefined);
  } catch (err) {
    // timers/promises rejects with a generic AbortError: hand on the signal's own reason.
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}

/** How a `deadline` race ended when `promise` did not settle first. */
export class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no result within ${ms} ms`);
  }
}

/**
 * `promise`'s outcome, unless `ms` passes first (rejects with DeadlineError) or `signal` aborts
 * first (rejects with the signal's reason).
 */
export function deadline<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => settle(() => reject(new DeadlineError(ms))), ms);
    const onAbort = () => settle(() => reject(signal?.reason));
    signal?.addEventListener('abort', onAbort, { once: true });
    let done = false;
    function settle(fn: () => void) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    }
    promise.then(
      (v) => settle(() => resolve(v)),
      (e) => settle(() => reject(e)),
    );
  });
}

/** Whether `promise` settled within `ms` (its rejection counts as settled). */
export async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  try {
    await deadline(
      promise.catch(() => {}),
      ms,
    );
    return true;
  } catch {
    return false;
  }
}

/** `promise`'s value, or `fallback` if it rejects or takes longer than `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  try {
    return await deadline(promise, ms);
  } catch {
    return fallback;
  }
}
