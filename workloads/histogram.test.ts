import { createRequire } from 'node:module';
import type { Histogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { decodeHistogram, encodeHistogram, newLatencyHistogramUs } from './histogram.js';

const require = createRequire(import.meta.url);
const pkg = require('hdr-histogram-js/dist/encoding.js') as {
  encodeIntoCompressedBase64(h: Histogram): string;
};

/** A seeded stream of latencies: mostly ~100 µs, a tail to seconds, one stall of minutes. */
function filled(seed: number, n: number): Histogram {
  const h = newLatencyHistogramUs();
  let x = seed;
  const next = () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
  for (let i = 0; i < n; i++) {
    const u = next();
    h.recordValue(Math.max(1, Math.round(u < 0.99 ? 50 + 100 * next() : 1_000 * 10 ** (3 * next()))));
  }
  if (n > 0) h.recordValue(180_000_000); // beyond the initial 60 s: autoResize grew it
  return h;
}

describe('encodeHistogram', () => {
  it.each([
    ['empty', 0],
    ['one value', 1],
    ['10,000 values with a long tail', 10_000],
    ['200,000 values', 200_000],
  ])('%s: the same string as hdr-histogram-js encodes, and decodes to the same counts', (_name, n) => {
    const h = filled(n + 7, n);
    const ours = encodeHistogram(h);
    expect(ours).toBe(pkg.encodeIntoCompressedBase64(h));
    const back = decodeHistogram(ours);
    expect(back.totalCount).toBe(h.totalCount);
    for (const p of [50, 90, 99, 99.9, 100])
      expect(back.getValueAtPercentile(p)).toBe(h.getValueAtPercentile(p));
  });

  it('a count beyond 2^14 and 2^21 (multi-byte words) survives the round trip', () => {
    const h = newLatencyHistogramUs();
    h.recordValueWithCount(100, 3_000_000);
    h.recordValueWithCount(200, 20_000);
    h.recordValueWithCount(300, 100);
    const ours = encodeHistogram(h);
    expect(ours).toBe(pkg.encodeIntoCompressedBase64(h));
    const back = decodeHistogram(ours);
    expect(back.totalCount).toBe(3_020_100);
    expect([50, 99.5, 99.999].map((p) => back.getValueAtPercentile(p))).toEqual([100, 200, 300]);
  });
});
