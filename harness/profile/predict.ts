/**
 * Pair prediction from two solo profiles, in the manner of Bubble-Up (Mars et al., MICRO 2011) and
 * iBench (Delimitrou & Kozyrakis, IISWC 2013): for each resource, the aggressor's own footprint is
 * read on that antagonist's footprint curve to find the antagonist intensity that presses as hard
 * (the equivalent intensity), and the victim's sensitivity curve gives its slowdown at that
 * intensity. Pure functions over ProfileFile: no I/O, unit-tested with synthetic profiles.
 *
 * CPU counted once: every antagonist uses some CPU (the io antagonist about 0.4 cores at 100 here),
 * and its curve already carries the slowdown that CPU causes. So the non-cpu terms come first, and
 * the cpu term reads only the aggressor's CPU beyond what those antagonists use at their equivalent
 * intensities (`alreadyCounted`); without this, an io-heavy aggressor was charged its CPU twice.
 *
 * Combining resources: the product of the per-resource slowdowns. A slowdown is a factor on the
 * victim's time per request (or rate); contention on independent resources stretches different
 * parts of that time, so their factors compose multiplicatively (for small slowdowns the product is
 * 1 + the sum of the excesses, which is Bubble-Up's additive reading). It is an upper-leaning rule:
 * each antagonist also uses some CPU, so the cpu term and, say, the io term can count the same
 * pressure twice; the single worst term (`worstTerm`) is its lower-leaning counterpart and is kept
 * beside it so that validation can show which one the measurements favour.
 */
import type { Estimate, MetricName } from '../results/types.js';
import type {
  AntagonistCurve,
  Footprint,
  Interval,
  Prediction,
  PredictionTerm,
  ProfileFile,
  ValidationRow,
} from './types.js';

const CLAMP_TOLERANCE = 1.05;

export interface XY {
  x: number;
  y: number;
}

/** Piecewise-linear y at x through points (any order), clamped to the end values outside them. */
export function interpolate(points: readonly XY[], x: number): number | null {
  const ps = [...points].sort((a, b) => a.x - b.x);
  const first = ps[0];
  const last = ps[ps.length - 1];
  if (!first || !last) return null;
  if (x <= first.x) return first.y;
  if (x >= last.x) return last.y;
  for (let i = 1; i < ps.length; i++) {
    const a = ps[i - 1] as XY;
    const b = ps[i] as XY;
    if (x <= b.x) return b.x === a.x ? b.y : a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
  }
  return last.y;
}

/**
 * The antagonist intensity whose footprint equals `value`: the inverse of the footprint curve
 * (intensity -> figure). The curve is made monotone first (running maximum: noise may make a
 * higher intensity read a little lower), and anchored at intensity 0 with footprint 0 unless 0 was
 * measured. A value beyond the highest point is clamped to the highest intensity and flagged: the
 * aggressor presses harder than the antagonist's scale reaches, so the prediction is a floor.
 */
export function equivalentIntensity(
  curve: readonly { intensity: number; footprint: number | null }[],
  value: number,
): { intensity: number; clamped: 'above' | null } | null {
  const measured = curve
    .filter(
      (p): p is { intensity: number; footprint: number } =>
        p.footprint !== null && Number.isFinite(p.footprint),
    )
    .sort((a, b) => a.intensity - b.intensity);
  if (measured.length === 0) return null;
  const pts = measured[0]?.intensity === 0 ? measured : [{ intensity: 0, footprint: 0 }, ...measured];
  let max = Number.NEGATIVE_INFINITY;
  const mono = pts.map((p) => {
    max = Math.max(max, p.footprint);
    return { intensity: p.intensity, footprint: max };
  });
  const first = mono[0] as { intensity: number; footprint: number };
  const last = mono[mono.length - 1] as { intensity: number; footprint: number };
  if (value <= first.footprint) return { intensity: first.intensity, clamped: null };
  // Beyond the highest point: clamped, and flagged when clearly beyond (5%: two runs of the same
  // antagonist read 1.98 and 1.99 cores).
  if (value > last.footprint) {
    return { intensity: last.intensity, clamped: value > last.footprint * CLAMP_TOLERANCE ? 'above' : null };
  }
  for (let i = 1; i < mono.length; i++) {
    const a = mono[i - 1] as { intensity: number; footprint: number };
    const b = mono[i] as { intensity: number; footprint: number };
    if (value <= b.footprint && b.footprint > a.footprint) {
      return {
        intensity:
          a.intensity + ((b.intensity - a.intensity) * (value - a.footprint)) / (b.footprint - a.footprint),
        clamped: null,
      };
    }
  }
  return { intensity: last.intensity, clamped: null };
}

/**
 * The victim's slowdown of `metric` next to this antagonist at `intensity`: median and bounds each
 * interpolated between the measured points, with slowdown 1 at intensity 0 unless 0 was measured
 * (solo is the antagonist at 0). Points whose slowdown is missing are skipped.
 */
export function sensitivityAt(
  curve: AntagonistCurve,
  metric: MetricName,
  intensity: number,
): Interval | null {
  const pts = curve.points
    .map((p) => ({ x: p.intensity, e: p.slowdown[metric] }))
    .filter((p): p is { x: number; e: Estimate & { median: number } } => p.e?.median != null);
  if (pts.length === 0) return null;
  const withZero = pts.some((p) => p.x === 0)
    ? pts
    : [{ x: 0, e: { median: 1, low: 1, high: 1, n: 0 } as Estimate & { median: number } }, ...pts];
  const median = interpolate(
    withZero.map((p) => ({ x: p.x, y: p.e.median })),
    intensity,
  ) as number;
  // A bound comes from the points that bracket the intensity (or the end it is clamped to): a
  // point elsewhere without an interval (too few valid blocks) does not erase it.
  const sorted = [...withZero].sort((a, b) => a.x - b.x);
  const upper = sorted.findIndex((p) => p.x >= intensity);
  const bracket =
    upper === -1
      ? sorted.slice(-1)
      : upper === 0 || (sorted[upper] as { x: number }).x === intensity
        ? [sorted[upper] as (typeof sorted)[number]]
        : sorted.slice(upper - 1, upper + 1);
  const bound = (k: 'low' | 'high') =>
    bracket.every((p) => p.e[k] != null)
      ? interpolate(
          bracket.map((p) => ({ x: p.x, y: p.e[k] as number })),
          intensity,
        )
      : null;
  return { median, low: bound('low'), high: bound('high') };
}

const distance = (i: Interval) => Math.abs(Math.log(i.median));

/** CPU cores an antagonist uses alone at `intensity` (its footprint curve; 0 at intensity 0 unless measured). */
export function cpuOfAntagonist(curve: AntagonistCurve, intensity: number): number | null {
  const pts = curve.points
    .filter((p) => p.footprint.cpuCores !== null)
    .map((p) => ({ x: p.intensity, y: p.footprint.cpuCores as number }));
  if (pts.length === 0) return null;
  return interpolate(pts.some((p) => p.x === 0) ? pts : [{ x: 0, y: 0 }, ...pts], intensity);
}

/** Victim's predicted slowdown next to the aggressor, from the victim's curves and the aggressor's solo footprint. */
export function predictSlowdown(
  victim: ProfileFile,
  aggressor: { container: { name: string }; footprint: Footprint },
  metric: MetricName,
): Prediction {
  const termOf = (
    curve: AntagonistCurve,
    value: number | null,
    alreadyCounted: number | null,
  ): PredictionTerm => {
    const base = {
      resource: curve.resource,
      scaleFigure: curve.scaleFigure,
      aggressorFootprint: value,
      alreadyCounted,
    };
    const eq =
      value === null
        ? null
        : equivalentIntensity(
            curve.points.map((p) => ({ intensity: p.intensity, footprint: p.footprint[curve.scaleFigure] })),
            value,
          );
    if (!eq) return { ...base, intensity: null, clamped: null, slowdown: null };
    return {
      ...base,
      intensity: eq.intensity,
      clamped: eq.clamped,
      slowdown: sensitivityAt(curve, metric, eq.intensity),
    };
  };
  // The other resources first: the CPU their antagonists use at the equivalent intensities is
  // pressure their terms already carry, so the cpu term reads only what is left of the aggressor's CPU.
  const others = new Map(
    victim.antagonists
      .filter((c) => c.resource !== 'cpu')
      .map((c) => [c.resource, termOf(c, aggressor.footprint[c.scaleFigure], null)]),
  );
  const counted = [...others.values()].reduce((sum, t) => {
    const c = victim.antagonists.find((a) => a.resource === t.resource);
    return sum + (c && t.intensity !== null ? (cpuOfAntagonist(c, t.intensity) ?? 0) : 0);
  }, 0);
  const terms: PredictionTerm[] = victim.antagonists.map((curve) => {
    if (curve.resource !== 'cpu') return others.get(curve.resource) as PredictionTerm;
    const cores = aggressor.footprint.cpuCores;
    return termOf(
      curve,
      cores === null ? null : Math.max(0, cores - counted),
      cores === null ? null : Math.min(cores, counted),
    );
  });
  const known = terms.flatMap((t) => (t.slowdown ? [t.slowdown] : []));
  const product = (k: 'median' | 'low' | 'high') =>
    known.every((s) => s[k] !== null) ? known.reduce((acc, s) => acc * (s[k] as number), 1) : null;
  const predicted = known.length
    ? { median: product('median') as number, low: product('low'), high: product('high') }
    : null;
  const worstTerm = known.length ? known.reduce((w, s) => (distance(s) > distance(w) ? s : w)) : null;
  const missing = terms.filter((t) => !t.slowdown).map((t) => t.resource);
  const clamped = terms.filter((t) => t.clamped).map((t) => t.resource);
  const notes = [
    ...(known.length === 0 ? [`${victim.container.name} has no ${metric} slowdown in its profile`] : []),
    ...(missing.length && known.length
      ? [`no term for ${missing.join(', ')} (missing curve or footprint)`]
      : []),
    ...(clamped.length
      ? [
          `${aggressor.container.name} presses ${clamped.join(', ')} beyond the antagonist's highest intensity: read at that intensity, a floor`,
        ]
      : []),
  ];
  return {
    victim: victim.container.name,
    aggressor: aggressor.container.name,
    metric,
    rule: 'product',
    terms,
    predicted,
    worstTerm,
    note: notes.length ? notes.join('; ') : null,
  };
}

/** Predicted against measured: the relative error of the prediction and whether the measured interval holds it. */
export function validationRow(p: Prediction, measured: Estimate | null): ValidationRow {
  const pred = p.predicted?.median ?? null;
  const m = measured?.median ?? null;
  const error = pred !== null && m !== null && m !== 0 ? pred / m - 1 : null;
  return {
    victim: p.victim,
    aggressor: p.aggressor,
    metric: p.metric,
    predicted: pred,
    worstTerm: p.worstTerm?.median ?? null,
    measured,
    error,
    within10: error === null ? null : Math.abs(error) <= 0.1,
    inInterval:
      pred === null || measured?.low == null || measured.high == null
        ? null
        : pred >= measured.low && pred <= measured.high,
  };
}
