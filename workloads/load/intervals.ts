/**
 * Per-second figures of one generator run: each request belongs to the interval in which it was
 * DUE (not the one in which it was answered), so a server stall shows in the seconds whose
 * requests it delayed. Intervals are aligned to the start of the measured window: interval 0 is
 * [windowStart, windowStart + 1 s), warmup intervals have negative start times (the first one is
 * partial when the warmup is not whole seconds), the last one ends with the window.
 */
import { encodeHistogram, type Histogram, newLatencyHistogramUs, recordMs } from '../histogram.js';

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
 * Histograms kept live (not yet encoded). Encoding one costs 0.4-0.8 ms here (4-5 ms the first
 * time, before the JIT: see warmUpIntervalEncoding), which is a late send or two when it happens
 * inside the window, so the first MAX_LIVE seconds are encoded only after the window; past that
 * (a ~50 KB histogram per second would pile up over a long run) the oldest finished second is
 * encoded and freed as each new second begins.
 */
const MAX_LIVE = 120;

/** Collects the intervals. */
export class IntervalRecorder {
  private readonly intervals = new Map<number, Open>();
  private currentKey = Number.NEGATIVE_INFINITY;
  private live = 0;

  /** Times are on the scheduler's clock; `windowStartMs` is the start of the measured window. */
  constructor(
    private readonly windowStartMs: number,
    private readonly warmupMs: number,
  ) {}

  private key(dueMs: number): number {
    // Rounded to the microsecond first: a due time exactly on a second's edge, computed as
    // start + offset on a fractional clock, can come out a hair below it (1999.9999999999998
    // for 2000) and fall into the previous second.
    return Math.floor(Math.round((dueMs - this.windowStartMs) * 1000) / (INTERVAL_MS * 1000));
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
      if (this.live > MAX_LIVE) {
        for (const [key, o] of this.intervals) {
          if (key < k && o.outstanding === 0 && o.histogram) {
            this.encode(o);
            break;
          }
        }
      }
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
    o.encoded = encodeInterval(o.histogram ?? newLatencyHistogramUs());
    if (o.histogram) this.live--;
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
      if (!o.histogram) {
        o.histogram = newLatencyHistogramUs();
        this.live++;
      }
      recordMs(o.histogram, doneMs - dueMs);
    } else if (outcome === 'error') o.figures.errors++;
    else if (outcome === 'timeout') o.figures.timeouts++;
    else o.figures.abandoned++;
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

/** p50, p99 and max (not summarizeUs: its mean walks every recorded value, 1-7 ms) and the encoding. */
function encodeInterval(h: Histogram): NonNullable<Open['encoded']> {
  const count = h.totalCount;
  return {
    latencyUs: {
      p50: count ? h.getValueAtPercentile(50) : 0,
      p99: count ? h.getValueAtPercentile(99) : 0,
      max: count ? h.maxValue : 0,
    },
    histogram: encodeHistogram(h),
  };
}

/**
 * Runs the encoder a few times before the schedule starts, so V8 has compiled it (the first
 * encoding takes ~5 ms, later ones under 1 ms) before it can delay a send.
 */
export function warmUpIntervalEncoding(): void {
  for (let round = 0; round < 5; round++) {
    const h = newLatencyHistogramUs();
    for (let i = 1; i <= 200; i++) recordMs(h, i * 0.05 * (round + 1));
    encodeInterval(h);
  }
}
