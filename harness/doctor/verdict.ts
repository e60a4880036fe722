/** Small helpers the experiments' evaluations share: building verdicts, formatting figures. */
import type { DoctorStatus } from '../results/doctor.js';
import type { Verdict } from './types.js';

export type Figures = Verdict['figures'];

export function verdict(
  status: DoctorStatus,
  v: {
    expected: string;
    measured: string | null;
    tolerance: string | null;
    reason: string;
    figures?: Figures;
  },
): Verdict {
  return { status, ...v, figures: v.figures ?? {} };
}

/** pass when every condition holds, else fail; the reason lists what held or what did not. */
export function judge(
  conditions: { ok: boolean; what: string }[],
  v: { expected: string; measured: string | null; tolerance: string | null; figures?: Figures },
): Verdict {
  const failed = conditions.filter((c) => !c.ok).map((c) => c.what);
  const reason =
    failed.length > 0 ? `not as expected: ${failed.join('; ')}` : conditions.map((c) => c.what).join('; ');
  return verdict(failed.length > 0 ? 'fail' : 'pass', { ...v, reason });
}

export function notApplicable(expected: string, reason: string, figures: Figures = {}): Verdict {
  return verdict('not-applicable', { expected, measured: null, tolerance: null, reason, figures });
}

/** Whether `measured` lies within `expected ± tolerance` (absolute). */
export function within(measured: number, expected: number, tolerance: number): boolean {
  return Number.isFinite(measured) && Math.abs(measured - expected) <= tolerance + 1e-12;
}

export const MiB = 1024 * 1024;

/** `20.3%` */
export const pct = (fraction: number, digits = 1) => `${(fraction * 100).toFixed(digits)}%`;
/** `1.25 s` from microseconds */
export const secondsUs = (us: number) => `${(us / 1e6).toFixed(2)} s`;
/** `20.1 MiB/s` */
export const mibPerS = (bytesPerS: number) => `${(bytesPerS / MiB).toFixed(1)} MiB/s`;
/** `12.0 MiB` */
export const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
/** `950 ms` from microseconds */
export const msUs = (us: number) => `${Math.round(us / 1000)} ms`;

/**
 * Least-squares slope of y over x: a rate from counter samples that does not hinge on the two
 * samples at the window's ends (the kernel counts IO in bursts, per throttle slice). NaN with
 * fewer than two distinct x.
 */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of points) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}
