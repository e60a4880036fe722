/**
 * From hdr-histogram-js, only the 32-bit histogram class at start-up, and its encoding the first
 * time a histogram is encoded or decoded. The package's builder and encoding modules also load its
 * WebAssembly build, and its encoding loads pako (a zlib for browsers; under Node it uses
 * node:zlib): every workload process paid about 30 ms of CPU for them before its first request
 * (the web server's imports: 59 ms before, 29 ms after), next to the trial's other processes
 * starting on the same CPUs. A workload encodes its histograms once, in its metrics line after
 * the window, and loads the encoding just after its ready line (`loadEncodingSoon`): in the
 * warm-up, not in the trial's start-up or its tear-down. The package has no exports map and ships
 * these files with their types; package.json pins its exact version.
 */
import { createRequire } from 'node:module';
import type { Histogram as HdrHistogram } from 'hdr-histogram-js';

const require = createRequire(import.meta.url);
type Int32HistogramClass = typeof import('hdr-histogram-js/dist/Int32Histogram.js').default;
const Int32Histogram = (
  require('hdr-histogram-js/dist/Int32Histogram.js') as { default: Int32HistogramClass }
).default;

interface Encoding {
  decodeFromCompressedBase64(base64: string, bitBucketSize: 32, useWebAssembly: false): HdrHistogram;
  encodeIntoCompressedBase64(histogram: HdrHistogram): string;
}

let encoding: Encoding | undefined;

/** The encoding module, loaded on first use (see the top of this file). */
function encodingModule(): Encoding {
  encoding ??= require('hdr-histogram-js/dist/encoding.js') as Encoding;
  return encoding;
}

/** Loads the encoding once the current work is done: a workload calls it after its ready line. */
export function loadEncodingSoon(): void {
  setImmediate(encodingModule);
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

/** hdr-histogram-js compressed base64 (the HdrHistogram V2 format, readable by Java/Go/Rust HDR libraries too). */
export function encodeHistogram(histogram: Histogram): string {
  return encodingModule().encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(base64: string): Histogram {
  return encodingModule().decodeFromCompressedBase64(base64, 32, false);
}

/** Summary plus encoded histogram, the shape every workload's metrics line uses for latencies. */
export function latencyReportUs(histogram: Histogram): LatencySummaryUs & { histogram: string } {
  return { ...summarizeUs(histogram), histogram: encodeHistogram(histogram) };
}
