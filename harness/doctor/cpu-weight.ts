/**
 * cpu.weight 100:400: two CPU hogs pinned to one CPU (cpuset), so that they compete for it; the
 * scheduler must split that CPU 1:4, i.e. 20% / 80%.
 *
 * The window is delimited by the kernel's own counts, not by a clock: it opens once each hog has
 * used 50 ms of CPU (both are spinning) and closes when the two together have used 1 s (quick)
 * or 4 s of CPU. Other work on the same CPU takes time from both hogs in proportion to their
 * weights (they are sibling groups), so the split between them holds on a busy host too.
 */
import { inScope, spinners } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge, pct, secondsUs, within } from './verdict.js';

export const EXPECTED_SHARE = 0.2;
/** ±3 points: the tolerance the issue sets; CFS splits a contended CPU in proportion to weight to within a scheduler tick per period. */
export const SHARE_TOLERANCE = 0.03;

export interface CpuWeightMeasured {
  cpu: number;
  /** CPU used in the window by the weight-100 and the weight-400 hog (µs). */
  lowUs: number;
  highUs: number;
  /** The weights read back (v2 values; on v1 converted back from cpu.shares). */
  lowWeight: string | null;
  highWeight: string | null;
}

export function evaluateCpuWeight(m: CpuWeightMeasured): Verdict {
  const total = m.lowUs + m.highUs;
  const share = total > 0 ? m.lowUs / total : Number.NaN;
  return judge(
    [
      {
        ok: m.lowWeight === '100' && m.highWeight === '400',
        what: `weights read back ${m.lowWeight}:${m.highWeight}`,
      },
      {
        ok: within(share, EXPECTED_SHARE, SHARE_TOLERANCE),
        what: `the weight-100 hog got ${pct(share)} of CPU ${m.cpu} (expected ${pct(EXPECTED_SHARE, 0)} ± ${SHARE_TOLERANCE * 100} points)`,
      },
    ],
    {
      expected: `CPU ${m.cpu} split 20% / 80% between weight 100 and weight 400`,
      measured: `${pct(share)} / ${pct(1 - share)} (${secondsUs(m.lowUs)} and ${secondsUs(m.highUs)} of CPU)`,
      tolerance: `±${SHARE_TOLERANCE * 100} points`,
      figures: { cpu: m.cpu, lowUs: m.lowUs, highUs: m.highUs, lowShare: share },
    },
  );
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  const windowUs = ctx.quick ? 1_000_000 : 4_000_000;
  return inScope(ctx, async (s) => {
    const cpuset = String(ctx.pinCpu);
    const low = await s.start('w100', { 'cpu.weight': 100, 'cpuset.cpus': cpuset }, spinners(1));
    const high = await s.start('w400', { 'cpu.weight': 400, 'cpuset.cpus': cpuset }, spinners(1));
    const usage = async () => {
      const [a, b] = await Promise.all([s.driver.readStats(low.handle), s.driver.readStats(high.handle)]);
      if (!low.alive() || !high.alive()) throw new Error(`a hog exited: ${low.stderr()}${high.stderr()}`);
      return { low: a.cpuUsageUs ?? 0, high: b.cpuUsageUs ?? 0 };
    };
    const u1 = await s.until('both hogs running', usage, (u) => u.low >= 50_000 && u.high >= 50_000);
    const u2 = await s.until('the CPU window', usage, (u) => u.low - u1.low + (u.high - u1.high) >= windowUs);
    return evaluateCpuWeight({
      cpu: ctx.pinCpu,
      lowUs: u2.low - u1.low,
      highUs: u2.high - u1.high,
      lowWeight: low.applied['cpu.weight']?.value ?? null,
      highWeight: high.applied['cpu.weight']?.value ?? null,
    });
  });
}
