import { describe, expect, it } from 'vitest';
import { PreciseClock } from './clock.js';

describe('PreciseClock', () => {
  it('a poke ends a wait whose instant has passed, and leaves a future wait pending', async () => {
    const clock = new PreciseClock(null);
    await clock.ready();
    try {
      // A wait 60 s out: only a poke after its instant may end it, so a poke now must not.
      let farDone = false;
      const far = clock.waitUntil(clock.now() + 60_000).then(() => {
        farDone = true;
      });
      clock.poke();
      await new Promise((resolve) => setImmediate(resolve));
      expect(farDone).toBe(false);
      // A new wait supersedes it (the generator has one wait at a time); its instant is 2 ms
      // out, and a busy wait past it followed by a poke ends it before the clock thread's
      // message can (that needs a turn of the event loop, which the busy wait does not give).
      const atMs = clock.now() + 2;
      let nearDone = false;
      const near = clock.waitUntil(atMs).then(() => {
        nearDone = true;
      });
      while (clock.now() < atMs) {}
      clock.poke();
      await Promise.resolve();
      await Promise.resolve();
      expect(nearDone).toBe(true);
      await near;
      expect(clock.now()).toBeGreaterThanOrEqual(atMs);
      void far;
    } finally {
      await clock.close();
    }
  });

  it('a later wait does not wake the sleeping clock thread; an earlier one does', async () => {
    const clock = new PreciseClock(null);
    await clock.ready();
    try {
      // 200 waits in a row, each later than the one before: the clock thread, asleep until the
      // first instant, is told about none of them and sleeps on to the newest by itself.
      const base = clock.now() + 20;
      let last: Promise<void> = Promise.resolve();
      for (let i = 0; i < 200; i++) last = clock.waitUntil(base + i * 0.1);
      const before = clock.wakes();
      await last;
      expect(clock.now()).toBeGreaterThanOrEqual(base + 19.9);
      // It woke at the first instant, then at the last (a few more if a sleep ends a hair early).
      const woke = clock.wakes() - before;
      expect(woke).toBeGreaterThanOrEqual(1);
      expect(woke).toBeLessThanOrEqual(4);
      // A wait 60 s out, then one 5 ms out: the clock thread must be woken to sleep less, and the
      // near wait ends without any poke.
      void clock.waitUntil(clock.now() + 60_000);
      const nearAt = clock.now() + 5;
      await clock.waitUntil(nearAt);
      expect(clock.now()).toBeGreaterThanOrEqual(nearAt);
    } finally {
      await clock.close();
    }
  });
});
