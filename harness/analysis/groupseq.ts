/**
 * Group-sequential boundaries: when a run looks at its data after every block of trials and
 * stops as soon as the answer is clear, each look is a chance for noise to cross a fixed 5%
 * line, and the error rate of the whole procedure grows with the number of looks. Alpha
 * spending (Lan & DeMets 1983) gives each look a share of the 5%: the O'Brien-Fleming-type
 * function spends almost nothing early and keeps the last look close to the fixed design.
 *
 * Boundaries are computed for the looks actually taken (information fractions t_k = blocks so
 * far / maximum blocks), by the recursive numerical integration of Armitage, McPherson & Rowe
 * (Jennison & Turnbull, Group Sequential Methods, ch. 19): the standardized statistics of the
 * looks behave as a Brownian motion observed at t_k, so the chance of first crossing at look k
 * is an integral over the sub-density of not having crossed before. A rank statistic is
 * asymptotically such a process; the simulations in harness/compare check the rule at 10 pairs.
 */
import { normalCdf, normalPdf, normalQuantile, normalSf } from './normal.js';

/**
 * Lan-DeMets O'Brien-Fleming-type spending, two-sided and symmetric: each side spends
 * 2 - 2 Phi(z_{1 - a/2} / sqrt(t)) of its a = alpha / 2 by information t (the convention of
 * R's ldbounds and gsDesign's sfLDOF, whose published boundaries the tests reproduce).
 */
export function obrienFlemingSpend(t: number, alpha: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  return 4 * normalSf(normalQuantile(1 - alpha / 4) / Math.sqrt(t));
}

/**
 * Lan-DeMets Pocock-type spending: alpha ln(1 + (e - 1) t). It spends alpha more evenly over
 * the looks, so that an early look can stop for a clear change; the last look's boundary is
 * stricter than O'Brien-Fleming's in exchange.
 */
export function pocockSpend(t: number, alpha: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  return alpha * Math.log(1 + (Math.E - 1) * t);
}

export type Spending = 'obrien-fleming' | 'pocock';

const SPEND: Record<Spending, (t: number, alpha: number) => number> = {
  'obrien-fleming': obrienFlemingSpend,
  pocock: pocockSpend,
};

/** Grid points of Simpson's rule over a finite interval (odd count). */
const GRID = 161;
/** Beyond this many standard deviations the sub-density is negligible for any alpha we use. */
const FAR_SD = 9;

interface Density {
  /** Points in S = Z sqrt(t) units and the sub-density there, with Simpson weights folded in. */
  s: Float64Array;
  w: Float64Array;
}

function simpsonGrid(bound: number, density: (s: number) => number): Density {
  const s = new Float64Array(GRID);
  const w = new Float64Array(GRID);
  const h = (2 * bound) / (GRID - 1);
  for (let i = 0; i < GRID; i++) {
    const x = -bound + i * h;
    const coef = i === 0 || i === GRID - 1 ? 1 : i % 2 === 1 ? 4 : 2;
    s[i] = x;
    w[i] = (density(x) * coef * h) / 3;
  }
  return { s, w };
}

/** P(|S_k| >= b, not stopped before) given the weighted sub-density at the previous look. */
function exitProbability(prev: Density, b: number, sdStep: number): number {
  let p = 0;
  for (let i = 0; i < GRID; i++) {
    const u = prev.s[i] as number;
    p += (prev.w[i] as number) * (normalSf((b - u) / sdStep) + normalCdf((-b - u) / sdStep));
  }
  return p;
}

const cache = new Map<string, number[]>();

/**
 * Two-sided nominal significance levels for each look: a look k statistic with two-sided
 * p-value below the k-th value crosses the boundary. The procedure's overall type I error is
 * `alpha` when the last look is at t = 1 (less when the run stopped short of its maximum).
 */
export function groupSequentialNominal(
  fractions: readonly number[],
  alpha: number,
  spending: Spending = 'obrien-fleming',
): number[] {
  const key = `${spending}|${alpha}|${fractions.join(',')}`;
  const spend = SPEND[spending];
  const hit = cache.get(key);
  if (hit) return hit;
  for (let k = 0; k < fractions.length; k++) {
    const t = fractions[k] as number;
    if (!(t > 0 && t <= 1) || (k > 0 && !(t > (fractions[k - 1] as number)))) {
      throw new RangeError(`look fractions must increase within (0, 1], got ${fractions.join(', ')}`);
    }
  }
  const out: number[] = [];
  let spent = 0;
  let prev: Density | null = null;
  let prevT = 0;
  for (const t of fractions) {
    const target = Math.max(0, spend(t, alpha) - spent);
    let c: number;
    if (prev === null) {
      c = target > 0 ? normalQuantile(1 - target / 2) : Number.POSITIVE_INFINITY;
    } else {
      const sdStep = Math.sqrt(t - prevT);
      const from = prev;
      const exit = (z: number) => exitProbability(from, z * Math.sqrt(t), sdStep);
      let lo = 0;
      let hi = 40;
      if (target <= 0 || exit(hi) >= target) c = Number.POSITIVE_INFINITY;
      else {
        for (let i = 0; i < 60; i++) {
          const mid = (lo + hi) / 2;
          if (exit(mid) > target) lo = mid;
          else hi = mid;
        }
        c = hi;
      }
    }
    out.push(Number.isFinite(c) ? 2 * normalSf(c) : 0);
    // The sub-density of S_t on the continuation region |S_t| < c sqrt(t).
    const bound = Math.min(
      Number.isFinite(c) ? c * Math.sqrt(t) : Number.POSITIVE_INFINITY,
      FAR_SD * Math.sqrt(t),
    );
    if (prev === null) {
      const sd = Math.sqrt(t);
      prev = simpsonGrid(bound, (x) => normalPdf(x / sd) / sd);
    } else {
      const sdStep = Math.sqrt(t - prevT);
      const from = prev;
      prev = simpsonGrid(bound, (x) => {
        let f = 0;
        for (let i = 0; i < GRID; i++)
          f += (from.w[i] as number) * normalPdf((x - (from.s[i] as number)) / sdStep);
        return f / sdStep;
      });
    }
    // What was spent, as computed: the target, or all that could be when the boundary is open.
    spent += Number.isFinite(c) ? target : 0;
    prevT = t;
  }
  cache.set(key, out);
  return out;
}

/** The nominal two-sided level at the last of `fractions` (the fixed design: [1] -> alpha). */
export function nominalAlphaAtLastLook(
  fractions: readonly number[],
  alpha: number,
  spending: Spending = 'obrien-fleming',
): number {
  if (fractions.length === 0 || (fractions.length === 1 && fractions[0] === 1)) return alpha;
  return groupSequentialNominal(fractions, alpha, spending).at(-1) as number;
}
