import { describe, expect, it } from 'vitest';
import { IntervalRecorder } from './intervals.js';

describe('IntervalRecorder', () => {
  it('puts a request due exactly on a second edge into the second it starts, whatever the fractional start', () => {
    // On this start, (start + 2500) - (start + 500) is 1999.9999999999998 in floating point:
    // without rounding, the request due at window second 2 was counted in second 1.
    const startMs = 389.26847705100795;
    const r = new IntervalRecorder(startMs + 500, 500);
    for (const offsetMs of [0, 500, 1000, 1500, 2000, 2500, 2999]) {
      r.sent(startMs + offsetMs, false);
      r.finished(startMs + offsetMs, 'completed', startMs + offsetMs + 1);
    }
    expect(r.result(startMs + 3500).map((i) => [i.startMs, i.requests, i.completed])).toEqual([
      [-500, 1, 1],
      [0, 2, 2],
      [1000, 2, 2],
      [2000, 2, 2],
    ]);
  });
});
