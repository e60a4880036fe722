/**
 * The generator's bookkeeping, apart from sockets: what was sent (and how late), how each request
 * ended, the corrected and uncorrected histograms of the measured window and the per-second
 * intervals. Times are on the scheduler's clock, so tests can drive it with a clock they control.
 */
import { type Histogram, newLatencyHistogramUs, recordMs } from '../histogram.js';
import { IntervalRecorder, type Outcome } from './intervals.js';
import type { Send } from './scheduler.js';

/** A send more than this behind schedule is counted as late. */
export const LATE_THRESHOLD_MS = 1;

export class LoadTally {
  /** Measured (due inside the window) requests sent. */
  requests = 0;
  completed = 0;
  errors = 0;
  timeouts = 0;
  abandoned = 0;
  late = 0;
  maxLateMs = 0;
  warmupRequests = 0;
  /** Sent and not finished, warmup included. */
  outstanding = 0;
  measuredOutstanding = 0;
  lastCompletionMs = 0;
  /** From the due time (coordinated-omission corrected). */
  readonly corrected: Histogram = newLatencyHistogramUs();
  /** From the moment the request was written to a socket. */
  readonly uncorrected: Histogram = newLatencyHistogramUs();
  readonly intervals: IntervalRecorder;

  constructor(windowStartMs: number, warmupMs: number) {
    this.intervals = new IntervalRecorder(windowStartMs, warmupMs);
  }

  sent(s: Send): void {
    const lateMs = s.sentMs - s.dueMs;
    const late = lateMs > LATE_THRESHOLD_MS;
    this.intervals.sent(s.dueMs, late);
    this.outstanding++;
    if (!s.measured) {
      this.warmupRequests++;
      return;
    }
    this.requests++;
    this.measuredOutstanding++;
    if (late) this.late++;
    if (lateMs > this.maxLateMs) this.maxLateMs = lateMs;
  }

  /** `writtenMs`: when the request reached a socket (after any wait in the pool's queue). */
  finished(s: Send, outcome: Outcome, writtenMs: number, doneMs: number): void {
    this.outstanding--;
    this.intervals.finished(s.dueMs, outcome, doneMs);
    if (!s.measured) return;
    this.measuredOutstanding--;
    if (outcome === 'completed') {
      this.completed++;
      recordMs(this.corrected, doneMs - s.dueMs);
      recordMs(this.uncorrected, doneMs - writtenMs);
      this.lastCompletionMs = doneMs;
    } else if (outcome === 'error') this.errors++;
    else if (outcome === 'timeout') this.timeouts++;
    else this.abandoned++;
  }
}
