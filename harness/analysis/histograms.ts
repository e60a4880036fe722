/**
 * Latency percentiles of one trial from its HDR histograms (one per sampling window or per
 * load-generator connection), merged bucket by bucket. Percentiles are never averaged across
 * windows: the mean of per-window p99s is not the p99 of the trial, and under a stall it can
 * be off by an order of magnitude (fio HOWTO, wrk2).
 */
import * as hdr from 'hdr-histogram-js';
import { IsobenchError } from '../errors.js';
import type { MergedPercentiles } from '../results/types.js';

/**
 * Percentiles of a merged histogram, in microseconds (the unit the load generator records): the
 * results contract's MergedPercentiles, plus how many values lie beyond the tail percentiles.
 */
export interface LatencyPercentilesUs extends MergedPercentiles {
  /** Values recorded beyond p99 and p99.9: fewer than about 20 makes that tail anecdotal. */
  samplesBeyondP99: number;
  samplesBeyondP999: number;
}

/** Decodes one histogram encoded with `encodeIntoCompressedBase64`, quoting a bad one. */
function decode(encoded: string, index: number): hdr.Histogram {
  try {
    return hdr.decodeFromCompressedBase64(encoded, 64);
  } catch (cause) {
    const shown = encoded.length > 40 ? `${encoded.slice(0, 40)}...` : encoded;
    throw new IsobenchError(
      'ISOBENCH_BAD_HISTOGRAM',
      `histogram ${index}: expected a compressed base64 HDR histogram, got ${JSON.stringify(shown)}`,
      { cause },
    );
  }
}

/**
 * Merges encoded histograms (values in µs) and reads percentiles from the merged one.
 * Returns null when nothing was recorded (no histograms, or all empty).
 */
export function mergeHistograms(encoded: readonly string[]): LatencyPercentilesUs | null {
  // 64-bit counts and auto-resize: a long trial at a high rate can exceed 2^31 in a bucket,
  // and windows may have been recorded with different highest trackable values.
  const merged = hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3 });
  encoded.forEach((text, i) => {
    const h = decode(text, i);
    merged.add(h);
  });
  const count = merged.totalCount;
  if (count === 0) return null;
  return {
    count,
    p50Us: merged.getValueAtPercentile(50),
    p90Us: merged.getValueAtPercentile(90),
    p99Us: merged.getValueAtPercentile(99),
    p999Us: merged.getValueAtPercentile(99.9),
    maxUs: merged.maxValue,
    samplesBeyondP99: Math.floor(count * 0.01),
    samplesBeyondP999: Math.floor(count * 0.001),
  };
}
