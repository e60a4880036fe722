/**
 * The SLO verdict at one point of a tune: trials are added one at a time, and after each (from
 * `minTrials` on) the median of the victim's per-trial metric gets its distribution-free
 * order-statistic interval (analysis/quantiles.ts, the interval results report). The point
 * "meets" when the whole interval is on the good side of the threshold, "violates" when it is
 * all on the bad side, and is "unsettled" when `maxTrials` were run and neither holds (a tune
 * treats that as not meeting).
 *
 * Each look is a chance for noise to cross the line, so the looks share the error rate as a
 * group-sequential test does (analysis/groupseq.ts, Pocock-type spending as `run --precision`
 * with variants uses): over all the looks at a point, a wrong "meets" (or "violates") happens
 * at most `alpha` (one-sided, 5%) of the time when the true median sits on the threshold. An
 * interval is two-sided at level 1 - nominal, where nominal is the look's two-sided share of
 * 2 alpha: each side then errs at most alpha. The median of per-trial values and a sign-test
 * interval need no assumption about the shape of the trials' spread (heavy tails, run effects).
 *
 * A point needs 5 or 6 trials to settle at all (the interval of the median from n values is at
 * best [min, max], with coverage 1 - 2^(1-n): 93.8% for 5, 96.9% for 6; with the default
 * maximum of 12 the first looks ask for about 97%, so 6), more when the trials straddle the
 * threshold.
 */
import { groupSequentialNominal } from '../analysis/groupseq.js';
import { medianIntervalSorted, medianSorted, sortedAscending } from '../analysis/quantiles.js';
import { meetsValue, type Slo } from './slo.js';

export interface PointRule {
  /** One-sided error per direction over all the looks at a point. */
  alpha: number;
  minTrials: number;
  maxTrials: number;
}

export const DEFAULT_RULE: PointRule = { alpha: 0.05, minTrials: 5, maxTrials: 12 };

export type PointVerdict = 'meets' | 'violates' | 'unsettled';

export interface PointLook {
  /** Values (trials with the metric) at this look. */
  n: number;
  /** Two-sided level of the interval at this look. */
  level: number;
  median: number;
  low: number | null;
  high: number | null;
  verdict: PointVerdict | 'continue';
}

/** The looks so far and what they decided; `add` one trial's value (null: no value) at a time. */
export class PointJudge {
  readonly values: number[] = [];
  readonly looks: PointLook[] = [];
  private fractions: number[] = [];
  verdict: PointVerdict | null = null;

  constructor(
    readonly slo: Slo,
    readonly rule: PointRule,
  ) {}

  /** Trials run, with or without a value. */
  trials = 0;

  /** Adds one trial's figure; returns the verdict once it is settled (or the maximum reached). */
  add(value: number | null): PointVerdict | null {
    if (this.verdict) return this.verdict;
    this.trials++;
    if (value !== null && Number.isFinite(value)) {
      this.values.push(value);
      const n = this.values.length;
      if (n >= this.rule.minTrials) this.look(n);
    }
    if (!this.verdict && this.trials >= this.rule.maxTrials) this.verdict = 'unsettled';
    return this.verdict;
  }

  private look(n: number): void {
    const fraction = Math.min(1, n / this.rule.maxTrials);
    // A fraction only grows with n; the last look is at 1 when n reaches the maximum.
    this.fractions.push(fraction);
    const nominal = groupSequentialNominal(this.fractions, 2 * this.rule.alpha, 'pocock').at(-1) as number;
    const sorted = sortedAscending(this.values);
    const level = 1 - nominal;
    const iv = medianIntervalSorted(sorted, level);
    let verdict: PointLook['verdict'] = 'continue';
    if (iv) {
      if (meetsValue(this.slo, iv.low) && meetsValue(this.slo, iv.high)) verdict = 'meets';
      else if (!meetsValue(this.slo, iv.low) && !meetsValue(this.slo, iv.high)) verdict = 'violates';
    }
    this.looks.push({
      n,
      level,
      median: medianSorted(sorted),
      low: iv?.low ?? null,
      high: iv?.high ?? null,
      verdict,
    });
    if (verdict !== 'continue') this.verdict = verdict;
  }

  /** The last look, or the median alone before any look. */
  estimate(): { median: number | null; low: number | null; high: number | null; level: number | null } {
    const last = this.looks.at(-1);
    if (last) return { median: last.median, low: last.low, high: last.high, level: last.level };
    const sorted = sortedAscending(this.values);
    return { median: sorted.length ? medianSorted(sorted) : null, low: null, high: null, level: null };
  }
}
