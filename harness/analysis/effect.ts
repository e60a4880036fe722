/**
 * The size of a change between two sets of trials, with its uncertainty: the one estimator
 * that run's slowdowns, compare's rows and the sequential looks all use.
 *
 * - paired (trials matched by repetition block: the variants of one interleaved run, or the
 *   co-located and solo trials of one repetition): per-pair differences of the transformed
 *   values, Hodges-Lehmann estimate with Wilcoxon signed-rank intervals, and the exact
 *   signed-rank test. Pairing removes the drift the blocks share.
 * - unpaired (two separate runs): the Hodges-Lehmann shift between the samples with
 *   Mann-Whitney intervals, and the Mann-Whitney test.
 *
 * `ratio` metrics are compared on a log scale (a per-block log ratio), then transformed back:
 * the estimate is a ratio, candidate / base. `difference` metrics (fractions that are often
 * exactly 0) are compared as candidate - base.
 */
import { hodgesLehmannShift, mannWhitneyU } from './mannwhitney.js';
import { hodgesLehmannPaired, signedRankTest } from './signedrank.js';

export type Scale = 'ratio' | 'difference';
export type PairingMethod = 'paired' | 'unpaired';

export interface EffectOptions {
  scale: Scale;
  /** Two-sided alpha of the main interval (0.05: 95%). */
  intervalAlpha: number;
  /** Two-sided alpha of the equivalence interval (0.1: the 90% interval of two one-sided tests). */
  equivalenceAlpha: number;
}

export interface Effect {
  method: PairingMethod;
  scale: Scale;
  /** Candidate / base (ratio) or candidate - base (difference); null without values. */
  estimate: number | null;
  /** At 1 - intervalAlpha; null when too few trials for an interval at that level. */
  interval: { low: number; high: number } | null;
  /** At 1 - equivalenceAlpha. */
  equivalence: { low: number; high: number } | null;
  /** Two-sided p of "no change"; null without values. */
  pValue: number | null;
  /** The smallest p-value these sample sizes could give: a test that cannot reach alpha is no test. */
  minPValue: number | null;
  /** Paired: pairs; unpaired: trials of each side. */
  nBase: number;
  nCand: number;
}

/**
 * Ratios need positive values. A 0 (a stalled database's transactions/s, a dead server's
 * goodput) is floored here instead of dropped: dropping it would hide the worst trials.
 */
const RATIO_FLOOR = 1e-9;

const forward = (scale: Scale) => (v: number) => (scale === 'ratio' ? Math.log(Math.max(v, RATIO_FLOOR)) : v);
const backward = (scale: Scale) => (v: number) => (scale === 'ratio' ? Math.exp(v) : v);

function mapInterval(
  iv: { low: number; high: number } | null | undefined,
  f: (v: number) => number,
): { low: number; high: number } | null {
  return iv ? { low: f(iv.low), high: f(iv.high) } : null;
}

export function pairedEffect(pairs: readonly { base: number; cand: number }[], opts: EffectOptions): Effect {
  const to = forward(opts.scale);
  const from = backward(opts.scale);
  const d = pairs.map((p) => to(p.cand) - to(p.base));
  const hl = hodgesLehmannPaired(d, [opts.intervalAlpha, opts.equivalenceAlpha]);
  const test = signedRankTest(d);
  return {
    method: 'paired',
    scale: opts.scale,
    estimate: hl.estimate === null ? null : from(hl.estimate),
    interval: mapInterval(hl.intervals[String(opts.intervalAlpha)], from),
    equivalence: mapInterval(hl.intervals[String(opts.equivalenceAlpha)], from),
    pValue: test.pValue,
    minPValue: test.minPValue,
    nBase: pairs.length,
    nCand: pairs.length,
  };
}

export function unpairedEffect(
  base: readonly number[],
  cand: readonly number[],
  opts: EffectOptions,
): Effect {
  const to = forward(opts.scale);
  const from = backward(opts.scale);
  const x = base.map(to);
  const y = cand.map(to);
  const hl = hodgesLehmannShift(x, y, [opts.intervalAlpha, opts.equivalenceAlpha]);
  const test = mannWhitneyU(y, x);
  return {
    method: 'unpaired',
    scale: opts.scale,
    estimate: hl.estimate === null ? null : from(hl.estimate),
    interval: mapInterval(hl.intervals[String(opts.intervalAlpha)], from),
    equivalence: mapInterval(hl.intervals[String(opts.equivalenceAlpha)], from),
    pValue: test.pValue,
    minPValue: test.minPValue,
    nBase: base.length,
    nCand: cand.length,
  };
}
