/**
 * From hdr-histogram-js, only the 32-bit histogram class. A workload encodes its histograms once,
 * in its metrics line after the window, with the encoder below (the HdrHistogram V2 compressed
 * format, byte for byte what the package writes); the package's own encoding loads on the first
 * decode only (the harness, tests). That module and what it pulls in (pako, every histogram class,
 * and through the package's index its WebAssembly build) cost each process 25-30 ms of CPU here,
 * three processes in every co-located trial (web, db, generator), on the CPUs the trial's other
 * processes were starting on: 59 ms of imports for the web server before the class alone was
 * loaded at start, 29 ms after. The package has no exports map and ships these files with their
 * types; package.json pins its exact version.
 */
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import type { Histogram as HdrHistogram } from 'hdr-histogram-js';

const require = createRequire(import.meta.url);
type Int32HistogramClass = typeof import('hdr-histogram-js/dist/Int32Histogram.js').default;
const Int32Histogram = (
  require('hdr-histogram-js/dist/Int32Histogram.js') as { default: Int32HistogramClass }
).default;

interface Decoding {
  decodeFromCompressedBase64(base64: string, bitBucketSize: 32, useWebAssembly: false): HdrHistogram;
}

let decoding: Decoding | undefined;

/** The package's decoding, loaded on first use (see the top of this file). */
function decodingModule(): Decoding {
  decoding ??= require('hdr-histogram-js/dist/encoding.js') as Decoding;
  return decoding;
}

/** Percentiles of one HDR histogram, all in microseconds, plus the encoded histogram for merging. */
export interface LatencySummaryUs {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export type Histogram = HdrHistogram;

/**
 * A latency histogram in microseconds. 3 significant digits keep any percentile within 0.1%;
 * autoResize lets a pathological stall (minutes) be recorded instead of clamped.
 */
export function newLatencyHistogramUs(): Histogram {
  // What the package's build() makes for bitBucketSize 32, without loading the builder.
  const h = new Int32Histogram(1, 60_000_000, 3);
  h.autoResize = true;
  return h;
}

/** Records a duration given in milliseconds (performance.now() differences) as whole microseconds. */
export function recordMs(histogram: Histogram, durationMs: number): void {
  histogram.recordValue(Math.max(1, Math.round(durationMs * 1000)));
}

export function summarizeUs(histogram: Histogram): LatencySummaryUs {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    count,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
    mean: Math.round(histogram.mean),
  };
}

/** What the encoder reads of a histogram (JsHistogram's fields; countsArrayIndex is not in its types). */
interface Encodable {
  numberOfSignificantValueDigits: number;
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
  maxValue: number;
  countsArrayIndex(value: number): number;
  getCountAtIndex(index: number): number;
}

/** V2 encoding cookies, word size byte 0x10 (ZigZag LEB128 counts, zero runs as negatives). */
const V2_COOKIE = 0x1c849303 | 0x10;
const V2_COMPRESSED_COOKIE = 0x1c849304 | 0x10;

/** A ZigZag LEB128-64b9B word (hdr-histogram-js ZigZagEncoding.encode). */
function putZigZag(out: number[], value: number): void {
  let v = value >= 0 ? value * 2 : -value * 2 - 1;
  for (let i = 0; i < 8; i++) {
    if (v < 128) {
      out.push(v);
      return;
    }
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v & 0xff);
}

/**
 * The HdrHistogram V2 compressed base64 of `histogram` (readable by hdr-histogram-js and the
 * Java/Go/Rust HDR libraries): the same bytes as the package's encodeIntoCompressedBase64, which
 * under Node also deflates with zlib's defaults (histogram.test.ts compares the two).
 */
export function encodeHistogram(histogram: Histogram): string {
  const h = histogram as unknown as Encodable;
  const counts: number[] = [];
  const limit = h.countsArrayIndex(h.maxValue) + 1;
  for (let i = 0; i < limit; ) {
    const count = h.getCountAtIndex(i++);
    if (count < 0)
      throw new Error(`cannot encode a histogram with a negative count (${count}) at index ${i}`);
    let zeros = 0;
    if (count === 0) {
      zeros = 1;
      while (i < limit && h.getCountAtIndex(i) === 0) {
        zeros++;
        i++;
      }
    }
    putZigZag(counts, zeros > 1 ? -zeros : count);
  }
  const plain = Buffer.alloc(40 + counts.length);
  plain.writeUInt32BE(V2_COOKIE >>> 0, 0);
  plain.writeUInt32BE(counts.length, 4);
  // The package writes 1 for the normalizing index offset and the integer-to-double ratio alike.
  plain.writeUInt32BE(1, 8);
  plain.writeUInt32BE(h.numberOfSignificantValueDigits, 12);
  plain.writeBigUInt64BE(BigInt(h.lowestDiscernibleValue), 16);
  plain.writeBigUInt64BE(BigInt(h.highestTrackableValue), 24);
  plain.writeBigUInt64BE(1n, 32);
  Buffer.from(counts).copy(plain, 40);
  const compressed = deflateSync(plain);
  const out = Buffer.alloc(8 + compressed.length);
  out.writeUInt32BE(V2_COMPRESSED_COOKIE >>> 0, 0);
  out.writeUInt32BE(compressed.length, 4);
  compressed.copy(out, 8);
  return out.toString('base64');
}

export function decodeHistogram(base64: string): Histogram {
  return decodingModule().decodeFromCompressedBase64(base64, 32, false);
}

/** Summary plus encoded histogram, the shape every workload's metrics line uses for latencies. */
export function latencyReportUs(histogram: Histogram): LatencySummaryUs & { histogram: string } {
  return { ...summarizeUs(histogram), histogram: encodeHistogram(histogram) };
}
