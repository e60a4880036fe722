/**
 * Per-second figures of one generator run: each request belongs to the interval in which it was
 * DUE (not the one in which it was answered), so a server stall shows in the seconds whose
 * requests it delayed. Intervals are aligned to the start of the measured window: interval 0 is
 * [windowStart, windowStart + 1 s), warmup intervals have negative start times (the first one is
 * partial when the warmup is not whole seconds), the last one ends with the window.
 */
import {
  encodeHistogram,
  type Histogram,
  newLatencyHistogramUs,
  recordMs,
  summarizeUs,
} from '../histogram.js';

export const INTERVAL_MS = 1000;

export type Outcome = 'completed' | 'error' | 'timeout' | 'abandoned';

export interface IntervalFigures {
  /** Start of the interval in ms after the measured window's start (negative: warmup). */
  startMs: number;
  /** Shorter than INTERVAL_MS for a partial first or last interval. */
  durationMs: number;
  warmup: boolean;
  /** Requests due in this interval and sent. */
  requests: number;
  late: number;
  completed: number;
  errors: number;
  timeouts: number;
  abandoned: number;
  /** Corrected latency (from the due time) of the completed requests, in µs. */
  latencyUs: { p50: number; p99: number; max: number };
  /** HDR histogram of that latency, encoded like the final histograms (histogram.ts). */
  histogram: string;
}

interface Open {
  figures: Omit<IntervalFigures, 'latencyUs' | 'histogram'>;
  histogram: Histogram | undefined;
  /** Sent and not yet finished: the interval can be encoded (and its histogram freed) at 0. */
  outstanding: number;
  encoded?: { latencyUs: IntervalFigures['latencyUs']; histogram: string };
}

/**
 * Collects the intervals. Histograms of past intervals are encoded and freed as soon as their
 * last request finishes (a ~70 KB histogram per second would pile up over a long run); encoding
 * one costs ~0.15 ms here, once a second.
 */
export class IntervalRecorder {
  private readonly intervals = new Map<number, Open>();
  private currentKey = Number.NEGATIVE_INFINITY;

  /** Times are on the scheduler's clock; `windowStartMs` is the start of the measured window. */
  constructor(
    private readonly windowStartMs: number,
    private readonly warmupMs: number,
  ) {}

  private key(dueMs: number): number {
    return Math.floor((dueMs - this.windowStartMs) / INTERVAL_MS);
  }

  private get(dueMs: number): Open {
    const k = this.key(dueMs);
    let open = this.intervals.get(k);
    if (!open) {
      open = this.create(k);
      this.intervals.set(k, open);
    }
    if (k > this.currentKey) {
      this.currentKey = k;
      for (const [key, o] of this.intervals) if (key < k && o.outstanding === 0) this.encode(o);
    }
    return open;
  }

  private create(k: number): Open {
    const startMs = Math.max(k * INTERVAL_MS, -this.warmupMs);
    return {
      figures: {
        startMs,
        durationMs: (k + 1) * INTERVAL_MS - startMs,
        warmup: startMs < 0,
        requests: 0,
        late: 0,
        completed: 0,
        errors: 0,
        timeouts: 0,
        abandoned: 0,
      },
      histogram: undefined,
      outstanding: 0,
    };
  }

  private encode(o: Open): void {
    if (o.encoded) return;
    const h = o.histogram;
    const s = h ? summarizeUs(h) : undefined;
    o.encoded = {
      latencyUs: { p50: s?.p50 ?? 0, p99: s?.p99 ?? 0, max: s?.max ?? 0 },
      histogram: h ? encodeHistogram(h) : encodeHistogram(newLatencyHistogramUs()),
    };
    o.histogram = undefined;
  }

  sent(dueMs: number, late: boolean): void {
    const o = this.get(dueMs);
    o.figures.requests++;
    if (late) o.figures.late++;
    o.outstanding++;
  }

  finished(dueMs: number, outcome: Outcome, doneMs: number): void {
    const o = this.get(dueMs);
    o.outstanding--;
    if (outcome === 'completed') {
      o.figures.completed++;
      o.histogram ??= newLatencyHistogramUs();
      recordMs(o.histogram, doneMs - dueMs);
    } else if (outcome === 'error') o.figures.errors++;
    else if (outcome === 'timeout') o.figures.timeouts++;
    else o.figures.abandoned++;
    if (o.outstanding === 0 && this.key(dueMs) < this.currentKey) this.encode(o);
  }

  /**
   * Every interval from the start of warmup to `endMs` (the end of the window, or the stop if it
   * came during warmup), empty ones included so the series has no holes; the last one is cut at
   * `endMs`.
   */
  result(endMs: number): IntervalFigures[] {
    // To the microsecond: (start + d) - start is not exactly d in floating point.
    const spanMs = Math.round((endMs - this.windowStartMs) * 1000) / 1000;
    const out: IntervalFigures[] = [];
    for (let k = this.key(this.windowStartMs - this.warmupMs); k * INTERVAL_MS < spanMs; k++) {
      const o = this.intervals.get(k) ?? this.create(k);
      this.encode(o);
      const durationMs =
        Math.round((Math.min((k + 1) * INTERVAL_MS, spanMs) - o.figures.startMs) * 1000) / 1000;
      if (durationMs <= 0) continue;
      out.push({ ...o.figures, durationMs, ...(o.encoded as NonNullable<Open['encoded']>) });
    }
    return out;
  }
}
