/**
 * The search of `isobench tune`, pure: it decides which point to try next and what the
 * answer is; the caller's `evaluate` runs the trials at a point (the real runner, or a
 * synthetic system in the tests) and says whether the SLO is met there.
 *
 * The model: the victim's metric gets worse as any knob is loosened (monotone). Positions u run
 * from 0 (the tightest value of a knob) to 1 (the loosest; knob.ts says which end that is).
 *
 * 1. Endpoints: everything loosest first; if it meets the SLO no limit is needed. Then
 *    everything tightest; if that does not meet it, the SLO cannot be met in the ranges.
 * 2. Coordinate search from the tightest point: each knob in turn (in the order given) is
 *    bisected between the loosest value known to meet the SLO (the others held) and the
 *    tightest known not to, until the bracket is within the resolution (knob.ts); the knob
 *    then keeps the loosest value that met. Cycles repeat until one changes nothing (with a
 *    monotone system the second cycle only confirms) or the budget is spent. The knob given
 *    first is loosened first: the answer is its loosest value with the others tight, then the
 *    loosest of the next given that, and so on.
 *
 * Monotone inference saves trials: a point at least as tight as one that met also meets; a
 * point at least as loose as one that did not meet does not. "Unsettled" (the trials straddled
 * the threshold up to the per-point maximum) counts as not meeting, for the answer and for the
 * inference: the recommendation is only ever a point that met the SLO.
 */
import { bracketDone, type Knob, valueAt } from './knob.js';
import type { PointVerdict } from './verdict.js';

/** Why a point was tried, for the record and the report. */
export type PointRole = 'loosest' | 'tightest' | 'endpoint' | 'bisect';

export interface Evaluation {
  verdict: PointVerdict;
}

export interface SearchPoint<E extends Evaluation> {
  /** Positions (0 tight .. 1 loose) and values, one per knob. */
  u: number[];
  values: number[];
  role: PointRole;
  /** The knob bisected (index), or null for the endpoints. */
  knob: number | null;
  cycle: number;
  evaluation: E;
}

export type SearchStatus = 'found' | 'no-limit-needed' | 'infeasible' | 'budget' | 'interrupted';

export interface SearchOutcome<E extends Evaluation> {
  status: SearchStatus;
  /** The loosest point known to meet the SLO (positions and values), or null. */
  recommendation: { u: number[]; values: number[] } | null;
  /**
   * Per knob at the end: the recommended value and the tightest value known not to meet the
   * SLO with the others at the recommendation (null when the loosest end was never refuted).
   */
  brackets: { meets: number | null; fails: number | null; withinResolution: boolean }[];
  points: SearchPoint<E>[];
  cycles: number;
}

export interface SearchHooks<E extends Evaluation> {
  /** Runs the trials at a point; null when it could not be started (budget, interrupted). */
  evaluate(values: number[], role: PointRole, knob: number | null, cycle: number): Promise<E | null>;
  /** Whether another point may start (the budget); checked before each point. */
  mayStart(): boolean;
  /** Why the search stopped early when mayStart() was false or evaluate() returned null. */
  stopReason(): 'budget' | 'interrupted';
  /** Called after each point (progress). */
  onPoint?(p: SearchPoint<E>): void;
}

export interface SearchOptions {
  knobs: readonly Knob[];
  /** Relative resolution (0.1 for 10%). */
  resolution: number;
  /** Cycles of the coordinate search at most. */
  maxCycles?: number;
}

const meets = (e: Evaluation) => e.verdict === 'meets';
const leq = (a: readonly number[], b: readonly number[]) => a.every((x, i) => x <= (b[i] as number) + 1e-12);

class Stop extends Error {
  constructor(readonly reason: 'budget' | 'interrupted') {
    super(reason);
  }
}

export async function search<E extends Evaluation>(
  opts: SearchOptions,
  hooks: SearchHooks<E>,
): Promise<SearchOutcome<E>> {
  const { knobs, resolution } = opts;
  const maxCycles = opts.maxCycles ?? 3;
  const points: SearchPoint<E>[] = [];
  let cycle = 0;

  /** What monotonicity says about a point without running it. */
  const known = (u: number[]): boolean | null => {
    if (points.some((p) => meets(p.evaluation) && leq(u, p.u))) return true;
    if (points.some((p) => !meets(p.evaluation) && leq(p.u, u))) return false;
    return null;
  };

  const tryPoint = async (u: number[], role: PointRole, knob: number | null): Promise<boolean> => {
    const k = known(u);
    if (k !== null) return k;
    if (!hooks.mayStart()) throw new Stop(hooks.stopReason());
    const values = u.map((x, i) => valueAt(knobs[i] as Knob, x));
    const evaluation = await hooks.evaluate(values, role, knob, cycle);
    if (evaluation === null) throw new Stop(hooks.stopReason());
    const p: SearchPoint<E> = { u: [...u], values, role, knob, cycle, evaluation };
    points.push(p);
    hooks.onPoint?.(p);
    return meets(evaluation);
  };

  const tight = knobs.map(() => 0);
  const loose = knobs.map(() => 1);
  let current: number[] | null = null;
  let status: SearchStatus = 'found';

  /** The tightest position of knob i known not to meet with the others at `at` (1 if none). */
  const failBound = (at: number[], i: number): number => {
    let bound = 1;
    let refuted = false;
    for (const p of points) {
      if (meets(p.evaluation)) continue;
      const others = p.u.every((x, j) => j === i || x <= (at[j] as number) + 1e-12);
      if (others && (p.u[i] as number) <= bound) {
        bound = p.u[i] as number;
        refuted = true;
      }
    }
    return refuted ? bound : Number.NaN;
  };

  try {
    if (await tryPoint(loose, 'loosest', null)) {
      current = loose;
      status = 'no-limit-needed';
    } else if (!(await tryPoint(tight, 'tightest', null))) {
      status = 'infeasible';
    } else {
      let cur: number[] = [...tight];
      current = cur;
      for (cycle = 1; cycle <= maxCycles; cycle++) {
        let changed = false;
        for (let i = 0; i < knobs.length; i++) {
          const knob = knobs[i] as Knob;
          const start = cur[i] as number;
          let lo = start;
          let hi = failBound(cur, i);
          if (Number.isNaN(hi)) {
            // The loosest end of this knob, the others held, was never tried.
            const end = cur.map((x, j) => (j === i ? 1 : x));
            if (await tryPoint(end, 'endpoint', i)) {
              if (start !== 1) changed = true;
              cur = end;
              current = cur;
              continue;
            }
            hi = 1;
          }
          while (!bracketDone(knob, lo, hi, resolution)) {
            const mid = (lo + hi) / 2;
            // Integer knobs: a midpoint that rounds onto an end adds nothing.
            const v = valueAt(knob, mid);
            if (v === valueAt(knob, lo) || v === valueAt(knob, hi)) break;
            const at = cur.map((x, j) => (j === i ? mid : x));
            // The loosest point met so far is always `current`, also if the budget stops here.
            if (await tryPoint(at, 'bisect', i)) {
              lo = mid;
              cur = at;
              current = cur;
            } else hi = mid;
          }
          if (lo !== start) changed = true;
        }
        if (!changed) break;
      }
      cycle = Math.min(cycle, maxCycles);
    }
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    status = err.reason;
    // `current` is the loosest point that met so far (null before the tightest point met).
  }
  const brackets = knobs.map((knob, i) => {
    if (!current) return { meets: null, fails: null, withinResolution: false };
    const hi = failBound(current, i);
    const lo = current[i] as number;
    return {
      meets: valueAt(knob, lo),
      fails: Number.isNaN(hi) ? null : valueAt(knob, hi),
      withinResolution: lo === 1 || (!Number.isNaN(hi) && bracketDone(knob, lo, hi, resolution)),
    };
  });
  return {
    status,
    recommendation: current
      ? { u: [...current], values: current.map((x, i) => valueAt(knobs[i] as Knob, x)) }
      : null,
    brackets,
    points,
    cycles: cycle,
  };
}
