/**
 * The statistics of one compare row: Holm's correction over the rows of one invocation, the
 * bootstrap of a change in slowdown (four independent groups of trials), and the verdict rule.
 * Ratios of medians of two groups use analysis/bootstrapRatioCI; the U test is
 * analysis/mannWhitneyU.
 */
import { resampleMedian } from '../analysis/bootstrap.js';
import { medianSorted, sortedAscending } from '../analysis/quantiles.js';
import { createRng } from '../analysis/random.js';
import { fmtChange as pct } from './format.js';

/**
 * Holm's step-down adjustment (R's `p.adjust(p, "holm")`): the i-th smallest of m p-values is
 * multiplied by m - i + 1, then made monotone and capped at 1. Nulls (rows without a test) are
 * not part of the family and stay null.
 */
export function holm(pValues: readonly (number | null)[]): (number | null)[] {
  const present = pValues.flatMap((p, i) => (p === null ? [] : [{ p, i }])).sort((a, b) => a.p - b.p);
  const m = present.length;
  const out: (number | null)[] = pValues.map(() => null);
  let running = 0;
  present.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

export interface SlowdownChange {
  baseSlowdown: number | null;
  candSlowdown: number | null;
  /** candSlowdown / baseSlowdown. */
  ratio: number | null;
  interval: { low: number; high: number } | null;
}

/**
 * (median(candCo) / median(candSolo)) / (median(baseCo) / median(baseSolo)) with a percentile
 * bootstrap that resamples each of the four groups independently: colocated and solo trials
 * are separate trials, and so are the two runs, so no pairing exists to preserve.
 */
export function bootstrapSlowdownChange(
  groups: {
    baseCo: readonly number[];
    baseSolo: readonly number[];
    candCo: readonly number[];
    candSolo: readonly number[];
  },
  opts: { iterations: number; seed: number; level?: number },
): SlowdownChange {
  const g = [groups.baseCo, groups.baseSolo, groups.candCo, groups.candSolo].map(sortedAscending);
  const [bc, bs, cc, cs] = g as [number[], number[], number[], number[]];
  if (g.some((x) => x.length === 0))
    return { baseSlowdown: null, candSlowdown: null, ratio: null, interval: null };
  const baseSlowdown = medianSorted(bc) / medianSorted(bs);
  const candSlowdown = medianSorted(cc) / medianSorted(cs);
  const ratio = candSlowdown / baseSlowdown;
  const finite = [baseSlowdown, candSlowdown, ratio].every(Number.isFinite);
  const out = {
    baseSlowdown: Number.isFinite(baseSlowdown) ? baseSlowdown : null,
    candSlowdown: Number.isFinite(candSlowdown) ? candSlowdown : null,
    ratio: finite ? ratio : null,
  };
  if (!finite || g.some((x) => x.length < 2)) return { ...out, interval: null };
  const rng = createRng(opts.seed);
  const scratch = g.map((x) => new Float64Array(x.length)) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const stats: number[] = [];
  for (let i = 0; i < opts.iterations; i++) {
    const r =
      resampleMedian(cc, scratch[2], rng) /
      resampleMedian(cs, scratch[3], rng) /
      (resampleMedian(bc, scratch[0], rng) / resampleMedian(bs, scratch[1], rng));
    // As in bootstrapRatioCI: a resample without a ratio makes any interval from the rest too narrow.
    if (!Number.isFinite(r)) return { ...out, interval: null };
    stats.push(r);
  }
  stats.sort((a, b) => a - b);
  const alpha = 1 - (opts.level ?? 0.95);
  const q = (p: number) => {
    const h = (stats.length - 1) * p;
    const lo = Math.floor(h);
    const a = stats[lo] as number;
    const b = stats[Math.ceil(h)] as number;
    return a + (h - lo) * (b - a);
  };
  return { ...out, interval: { low: q(alpha / 2), high: q(1 - alpha / 2) } };
}

export type Verdict = 'regression' | 'improvement' | 'no-change' | 'inconclusive';

/** The constants of the verdict rule (README "Verdict rules"). */
export const VERDICT_RULES = {
  /** Significance level of the Holm-corrected U test. */
  alpha: 0.05,
  /** Bootstrap interval level. */
  level: 0.95,
  /** Fewer ok trials than this on either side: inconclusive. */
  minTrials: 5,
  /**
   * An interval wider than this many threshold bands (relative to the ratio) is too noisy to
   * call a regression or an improvement: with ±5%, an interval wider than 40% of the ratio.
   */
  noiseBands: 4,
} as const;

export interface JudgeInput {
  ratio: number | null;
  low: number | null;
  high: number | null;
  pHolm: number | null;
  nBase: number;
  nCand: number;
  higherIsWorse: boolean;
  /** The threshold as a fraction (0.05 for 5%): the band is [1 - t, 1 + t]. */
  threshold: number;
}

/** The verdict of one row and a one-line reason. */
export function judge(x: JudgeInput): { verdict: Verdict; why: string } {
  const { alpha, minTrials, noiseBands } = VERDICT_RULES;
  const bandLow = 1 - x.threshold;
  const bandHigh = 1 + x.threshold;
  const band = `±${(x.threshold * 100).toFixed(1).replace(/\.0$/, '')}%`;
  if (x.nBase < minTrials || x.nCand < minTrials) {
    return {
      verdict: 'inconclusive',
      why: `fewer than ${minTrials} trials a side (base ${x.nBase}, candidate ${x.nCand})`,
    };
  }
  if (x.ratio === null || x.low === null || x.high === null) {
    return { verdict: 'inconclusive', why: 'no ratio or no interval (a median is 0 or values are missing)' };
  }
  const interval = `${pct(x.low)} … ${pct(x.high)}`;
  if (x.low >= bandLow && x.high <= bandHigh) {
    return { verdict: 'no-change', why: `interval ${interval} lies inside the band ${band}` };
  }
  const above = x.low > bandHigh;
  const below = x.high < bandLow;
  if (!above && !below) {
    return { verdict: 'inconclusive', why: `interval ${interval} straddles the band edge ${band}` };
  }
  const verdict: Verdict = above === x.higherIsWorse ? 'regression' : 'improvement';
  if ((x.high - x.low) / x.ratio > noiseBands * 2 * x.threshold) {
    return {
      verdict: 'inconclusive',
      why: `${verdict === 'regression' ? 'worse' : 'better'} beyond ${band}, but the interval ${interval} is wider than ${noiseBands}x the band: trial-to-trial variation too large to judge (add repetitions)`,
    };
  }
  if (x.pHolm === null || !(x.pHolm < alpha)) {
    return {
      verdict: 'inconclusive',
      why: `interval ${interval} lies beyond ${band}, but the U test is not significant (Holm p = ${x.pHolm === null ? 'n/a' : x.pHolm.toPrecision(2)} >= ${alpha})`,
    };
  }
  return {
    verdict,
    why: `interval ${interval} lies entirely ${verdict === 'regression' ? 'on the worse side of' : 'on the better side of'} ${band}, Holm p = ${x.pHolm.toPrecision(2)}`,
  };
}
