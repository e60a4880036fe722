import { describe, expect, it } from 'vitest';
import { dueOffsetsMs, seededRandom } from './schedule.js';

describe('dueOffsetsMs', () => {
  it('uniform: exactly rate x duration requests, each at i/rate with no accumulated drift', () => {
    const offsets = dueOffsetsMs(300, 10_000, 'uniform');
    expect(offsets.length).toBe(3000);
    expect(offsets[0]).toBe(0);
    // 2999 / 300 s, computed from i, not by summing 1/300 (which would drift by rounding).
    expect(offsets[2999]).toBe((2999 * 1000) / 300);
  });

  it('poisson: mean gap 1/rate within 5% over many arrivals, reproducible from a seed', () => {
    const a = dueOffsetsMs(1000, 20_000, 'poisson', seededRandom(7));
    const b = dueOffsetsMs(1000, 20_000, 'poisson', seededRandom(7));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.length).toBeGreaterThan(19_000);
    expect(a.length).toBeLessThan(21_000);
    expect(Math.max(...a)).toBeLessThan(20_000);
  });
});
