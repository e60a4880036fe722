import { describe, expect, it } from 'vitest';
import { lttb, lttbIndices } from './lttb.js';

function series(n: number) {
  const xs = Array.from({ length: n }, (_, i) => i * 0.5);
  const ys = xs.map((x) => Math.sin(x / 10) * 10 + (x % 7));
  return { xs, ys };
}

describe('lttb', () => {
  it('keeps exactly `threshold` points, both endpoints, in ascending order', () => {
    const { xs, ys } = series(7200);
    const keep = lttbIndices(xs, ys, 1000);
    expect(keep).toHaveLength(1000);
    expect(keep[0]).toBe(0);
    expect(keep[keep.length - 1]).toBe(7199);
    for (let i = 1; i < keep.length; i++) expect(keep[i]).toBeGreaterThan(keep[i - 1] as number);
  });

  it('returns every point when there are no more than the threshold', () => {
    const { xs, ys } = series(50);
    expect(lttbIndices(xs, ys, 50)).toHaveLength(50);
    expect(lttbIndices(xs, ys, 200)).toHaveLength(50);
    expect(lttbIndices(xs, ys, 2)).toHaveLength(50);
  });

  it('keeps a one-sample spike that averaging would flatten', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    const ys = xs.map(() => 1);
    ys[4321] = 500;
    const out = lttb(xs, ys, 100);
    expect(out.xs).toHaveLength(100);
    expect(Math.max(...out.ys)).toBe(500);
    expect(out.xs).toContain(4321);
  });

  it('refuses arrays of different lengths', () => {
    expect(() => lttbIndices([1, 2, 3], [1, 2], 2)).toThrow(/3 x values but 2 y values/);
  });
});
