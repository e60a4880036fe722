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
});
