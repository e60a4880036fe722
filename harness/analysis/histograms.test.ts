import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { mergeHistograms } from './histograms.js';

function encoded(valuesUs: number[]): string {
  const h = hdr.build({ numberOfSignificantValueDigits: 3 });
  for (const v of valuesUs) h.recordValue(v);
  return hdr.encodeIntoCompressedBase64(h);
}

describe('mergeHistograms', () => {
  it('reads percentiles of the merged distribution, not an average of window percentiles', () => {
    // Window 1: 990 fast requests; window 2: a stall of 10 slow ones. The average of the two
    // windows' p99 would be about (100 + 50,000) / 2; the trial's p99 is the fast value.
    const w1 = encoded(Array.from({ length: 990 }, () => 100));
    const w2 = encoded(Array.from({ length: 10 }, () => 50_000));
    const p = mergeHistograms([w1, w2]);
    expect(p?.count).toBe(1000);
    expect(p?.p50Us).toBe(100);
    expect(p?.p99Us).toBe(100);
    expect(p?.p999Us).toBeGreaterThanOrEqual(49_950);
    expect(p?.maxUs).toBeGreaterThanOrEqual(49_950);
    expect(p?.maxUs).toBeLessThanOrEqual(50_050);
  });

  it('gives values within 0.1% for a uniform spread', () => {
    const p = mergeHistograms([encoded(Array.from({ length: 10_000 }, (_, i) => i + 1))]);
    expect(p?.p90Us).toBeGreaterThanOrEqual(8_990);
    expect(p?.p90Us).toBeLessThanOrEqual(9_010);
    expect(p?.samplesBeyondP99).toBe(100);
    expect(p?.samplesBeyondP999).toBe(10);
  });

  it('returns null when nothing was recorded', () => {
    expect(mergeHistograms([])).toBeNull();
    expect(mergeHistograms([encoded([])])).toBeNull();
  });

  it('quotes a histogram it cannot decode', () => {
    expect(() => mergeHistograms(['not-a-histogram'])).toThrow(/histogram 0: .*"not-a-histogram"/);
  });
});
