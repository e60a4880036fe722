/**
 * The verdict of one compare row (reference/statistics.md section 7), Holm's correction over
 * the rows of one invocation, and the estimate of how many more trials would settle a row.
 *
 * - regression / improvement: the interval lies entirely beyond the band on that side AND the
 *   corrected test is significant. Nothing else can hide such a row: a wide interval that
 *   clears the band still clears it.
 * - no-change: equivalence, two one-sided tests: the 90% interval lies inside the band.
 * - inconclusive: anything else, with an estimate of the trials that would settle it.
 */
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

/**
 * Holm's step-down decision with any per-step level: the j-th smallest of m p-values (j from 1)
 * is rejected while p_(j) < level(alpha / (m - j + 1)) held for it and every smaller one. With
 * `level` the identity this is Holm's test; with a group-sequential boundary it is Holm across
 * rows and alpha spending across looks (Maurer & Bretz 2013).
 */
export function stepDown(
  pValues: readonly (number | null)[],
  alpha: number,
  level: (alphaShare: number) => number = (a) => a,
): boolean[] {
  const present = pValues.flatMap((p, i) => (p === null ? [] : [{ p, i }])).sort((a, b) => a.p - b.p);
  const m = present.length;
  const out = pValues.map(() => false);
  for (const [j, { p, i }] of present.entries()) {
    if (!(p < level(alpha / (m - j)))) break;
    out[i] = true;
  }
  return out;
}

export type Verdict = 'regression' | 'improvement' | 'no-change' | 'inconclusive';
/** `excluded`: a row shown but left out of verdicts (a tail percentile with too few samples beyond it). */
export type RowVerdict = Verdict | 'excluded';

/** The constants of the verdict rule (README "Verdict rules"). */
export const VERDICT_RULES = {
  /** Family-wise level of the Holm-corrected tests over a compare's rows. */
  alpha: 0.05,
  /** The interval that must clear the band: 95%. */
  intervalLevel: 0.95,
  /** The interval that must lie inside the band for no-change: 90% (two one-sided tests at 5%). */
  equivalenceLevel: 0.9,
  /** Fewer ok trials (or pairs) than this on either side: inconclusive. */
  minTrials: 5,
  /** Tail percentiles need this many values beyond them in every trial to be judged. */
  tailMinSamples: 100,
  /**
   * The no-change band of difference-scale rows (error and timeout fractions): 0.1 percentage
   * point, one request in a thousand, whatever --threshold says about ratios.
   */
  fractionBand: 0.001,
} as const;

export interface Band {
  low: number;
  high: number;
  /** `±5%` or `±0.1 pp`. */
  text: string;
}

export interface JudgeInput {
  scale: 'ratio' | 'difference';
  method: 'paired' | 'unpaired';
  estimate: number | null;
  low: number | null;
  high: number | null;
  low90: number | null;
  high90: number | null;
  /** The corrected test's decision; null: no test (too few trials to ever reach alpha). */
  significant: boolean | null;
  pHolm: number | null;
  nBase: number;
  nCand: number;
  higherIsWorse: boolean;
  band: Band;
  excluded: string | null;
  /** How many rows share the Holm family (for the trials a significant test would need). */
  family: number;
  intervalLevel: number;
  equivalenceLevel: number;
}

export interface Judgement {
  verdict: RowVerdict;
  why: string;
  /** For inconclusive rows: about how many trials (pairs) in all would likely settle it (null: no count would). */
  more: { trials: number | null; text: string } | null;
}

/** 0.95 -> `95%`, 0.9617 -> `96.17%`. */
const fmtLevel = (l: number) => `${Number((l * 100).toFixed(2))}%`;

function fmtValue(x: Pick<JudgeInput, 'scale'>, v: number): string {
  return x.scale === 'ratio' ? pct(v) : `${v >= 0 ? '+' : '-'}${(Math.abs(v) * 100).toFixed(2)} pp`;
}

/** The smallest n (per side, or pairs) whose exact test could reach `level`. */
function trialsForSignificance(method: JudgeInput['method'], level: number): number {
  for (let n = 2; n < 200; n++) {
    // Paired: 2 / 2^n; unpaired n a side: 2 / C(2n, n).
    let c = 1;
    for (let i = 1; i <= n; i++) c = (c * (n + i)) / i;
    const min = method === 'paired' ? 2 / 2 ** n : 2 / c;
    if (min < level) return n;
  }
  return 200;
}

/** Trials (pairs) that would likely settle a row, from its observed spread: intervals shrink as 1 / sqrt(n). */
export function moreTrials(x: JudgeInput): Judgement['more'] {
  const n = Math.min(x.nBase, x.nCand);
  const unit = x.method === 'paired' ? 'pairs (repetition blocks)' : 'trials a side';
  if (x.estimate === null || x.low === null || x.high === null || n < 1) {
    const need = Math.max(6, VERDICT_RULES.minTrials);
    return {
      trials: need,
      text: `at least ${need} ${unit} for an exact ${fmtLevel(x.intervalLevel)} interval`,
    };
  }
  const to = (v: number) => (x.scale === 'ratio' ? Math.log(v) : v);
  const theta = to(x.estimate);
  const eLow = to(x.band.low);
  const eHigh = to(x.band.high);
  const half = (to(x.high) - to(x.low)) / 2;
  const half90 =
    x.low90 !== null && x.high90 !== null ? (to(x.high90) - to(x.low90)) / 2 : (half * 1.645) / 1.96;
  let need: number;
  let towards: string;
  if (theta > eHigh || theta < eLow) {
    const margin = theta > eHigh ? theta - eHigh : eLow - theta;
    need = Math.max(
      n * (half / margin) ** 2,
      trialsForSignificance(x.method, VERDICT_RULES.alpha / Math.max(1, x.family)),
    );
    towards = theta > eHigh === x.higherIsWorse ? 'a regression' : 'an improvement';
  } else {
    const margin = Math.min(eHigh - theta, theta - eLow);
    if (margin <= 1e-9) {
      return { trials: null, text: 'unlikely to settle: the estimate sits on a band edge' };
    }
    need = n * (half90 / margin) ** 2;
    towards = 'no-change';
  }
  const trials = Math.max(n + 1, Math.ceil(need));
  if (trials > Math.max(1000, 50 * n)) {
    return {
      trials,
      text: `unlikely to settle soon: about ${trials} ${unit} would be needed (the spread is wide, or the estimate sits close to a band edge)`,
    };
  }
  return {
    trials,
    text: `about ${trials} ${unit} in all (${trials - n} more) would likely settle it as ${towards}`,
  };
}

/** The verdict of one row and a one-line reason. */
export function judge(x: JudgeInput): Judgement {
  const { minTrials } = VERDICT_RULES;
  if (x.excluded !== null) return { verdict: 'excluded', why: x.excluded, more: null };
  const inconclusive = (why: string): Judgement => {
    const more = moreTrials(x);
    return { verdict: 'inconclusive', why: more ? `${why}; ${more.text}` : why, more };
  };
  if (x.nBase < minTrials || x.nCand < minTrials) {
    const what =
      x.method === 'paired' ? `pairs (${x.nBase})` : `trials a side (base ${x.nBase}, candidate ${x.nCand})`;
    return inconclusive(`fewer than ${minTrials} ${what}`);
  }
  if (x.estimate === null) return inconclusive('no estimate (values missing)');
  if (x.low === null || x.high === null) {
    return inconclusive(
      `too few ${x.method === 'paired' ? 'pairs' : 'trials'} for an exact ${fmtLevel(x.intervalLevel)} interval`,
    );
  }
  const interval = `${fmtLevel(x.intervalLevel)} interval ${fmtValue(x, x.low)} … ${fmtValue(x, x.high)}`;
  const above = x.low > x.band.high;
  const below = x.high < x.band.low;
  if (above || below) {
    const verdict: Verdict = above === x.higherIsWorse ? 'regression' : 'improvement';
    const side = verdict === 'regression' ? 'worse' : 'better';
    if (x.significant === true) {
      return {
        verdict,
        why: `${interval} lies entirely on the ${side} side of ${x.band.text}, Holm p = ${(x.pHolm ?? 0).toPrecision(2)}`,
        more: null,
      };
    }
    const test =
      x.significant === null
        ? `no test can reach significance with ${Math.min(x.nBase, x.nCand)} ${x.method === 'paired' ? 'pairs' : 'trials a side'}`
        : `the test is not significant after Holm over ${x.family} rows (p = ${x.pHolm === null ? 'n/a' : x.pHolm.toPrecision(2)})`;
    return inconclusive(`${interval} lies entirely on the ${side} side of ${x.band.text}, but ${test}`);
  }
  if (x.low90 !== null && x.high90 !== null && x.low90 >= x.band.low && x.high90 <= x.band.high) {
    return {
      verdict: 'no-change',
      why: `${fmtLevel(x.equivalenceLevel)} interval ${fmtValue(x, x.low90)} … ${fmtValue(x, x.high90)} lies inside ${x.band.text} (two one-sided tests)`,
      more: null,
    };
  }
  return inconclusive(`${interval} reaches past ${x.band.text} without clearing it`);
}
