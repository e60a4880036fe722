import { describe, expect, it } from 'vitest';
import { DeadlineError, deadline, settledWithin, sleep, within } from './timers.js';

const never = () => new Promise<number>(() => {});

describe('timers', () => {
  it('within falls back when a call hangs or fails', async () => {
    expect(await within(never(), 10, -1)).toBe(-1);
    expect(await within(Promise.reject(new Error('x')), 1000, -2)).toBe(-2);
    expect(await within(Promise.resolve(3), 1000, -3)).toBe(3);
  });

  it('deadline: the value, a DeadlineError, or the abort reason, whichever comes first', async () => {
    expect(await deadline(Promise.resolve(1), 1000)).toBe(1);
    await expect(deadline(never(), 10)).rejects.toBeInstanceOf(DeadlineError);
    const ac = new AbortController();
    const p = deadline(never(), 60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    await expect(deadline(Promise.resolve(1), 10, ac.signal)).rejects.toThrow('stop');
  });

  it('deadline removes its listener from a long-lived signal', async () => {
    const ac = new AbortController();
    let listeners = 0;
    const add = ac.signal.addEventListener.bind(ac.signal);
    const remove = ac.signal.removeEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...a: Parameters<typeof add>) => {
      listeners++;
      add(...a);
    }) as typeof add;
    ac.signal.removeEventListener = ((...a: Parameters<typeof remove>) => {
      listeners--;
      remove(...a);
    }) as typeof remove;
    for (let i = 0; i < 100; i++) await deadline(Promise.resolve(i), 1000, ac.signal);
    expect(listeners).toBe(0);
  });

  it('settledWithin counts a rejection as settled; sleep stops on abort', async () => {
    expect(await settledWithin(Promise.reject(new Error('x')), 1000)).toBe(true);
    expect(await settledWithin(never(), 10)).toBe(false);
    const ac = new AbortController();
    const s = sleep(60_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(s).rejects.toThrow('stop');
  });
});
