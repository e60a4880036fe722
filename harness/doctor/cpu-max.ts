/**
 * cpu.max 50000/100000: two CPU hogs (they could use 2 CPUs) under a quota of half a CPU must get
 * 0.50 CPU. The clock is the kernel's: the window is a number of CFS bandwidth periods
 * (cpu.stat nr_periods: 20 quick, 50 full, of 100 ms), and the CPU is the cgroup's usage over
 * them. The hogs' group gets cpu.weight 10000, so that on a host busy with other work the quota,
 * not the competition, is what holds them back (that is what this check is about).
 */
import { inScope, spinners } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge, secondsUs, within } from './verdict.js';

export const QUOTA_US = 50_000;
export const PERIOD_US = 100_000;
export const EXPECTED_CPUS = QUOTA_US / PERIOD_US;
/**
 * ±0.03 CPU: the tolerance. The quota is refilled every period and may be overrun by up
 * to one scheduler tick (4 ms at HZ=250) before the group is throttled: 0.04 at most per period,
 * and less on average.
 */
export const CPUS_TOLERANCE = 0.03;

export interface CpuMaxMeasured {
  usageUs: number;
  periods: number;
  throttledPeriods: number;
  /** cpu.max as read back, v2 form (`50000 100000`). */
  applied: string | null;
}

export function evaluateCpuMax(m: CpuMaxMeasured): Verdict {
  const cpus = m.periods > 0 ? m.usageUs / (m.periods * PERIOD_US) : Number.NaN;
  return judge(
    [
      { ok: m.applied === `${QUOTA_US} ${PERIOD_US}`, what: `cpu.max read back as ${m.applied}` },
      {
        ok: within(cpus, EXPECTED_CPUS, CPUS_TOLERANCE),
        what: `${cpus.toFixed(3)} CPU over ${m.periods} periods (expected ${EXPECTED_CPUS} ± ${CPUS_TOLERANCE})`,
      },
      {
        ok: m.throttledPeriods >= m.periods / 2,
        what: `throttled in ${m.throttledPeriods} of ${m.periods} periods (a hog that wants 2 CPUs runs out of quota in nearly every one)`,
      },
    ],
    {
      expected: `${EXPECTED_CPUS.toFixed(2)} CPU for two hogs under cpu.max ${QUOTA_US} ${PERIOD_US}`,
      measured: `${cpus.toFixed(3)} CPU (${secondsUs(m.usageUs)} in ${m.periods} periods, ${m.throttledPeriods} throttled)`,
      tolerance: `±${CPUS_TOLERANCE} CPU`,
      figures: { usageUs: m.usageUs, periods: m.periods, throttledPeriods: m.throttledPeriods, cpus },
    },
  );
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  const periods = ctx.quick ? 20 : 50;
  return inScope(ctx, async (s) => {
    const box = await s.start(
      'quota',
      { 'cpu.max': { quotaUs: QUOTA_US, periodUs: PERIOD_US }, 'cpu.weight': 10000 },
      spinners(2),
    );
    const read = async () => {
      const st = await s.driver.readStats(box.handle);
      if (!box.alive()) throw new Error(`the hogs exited: ${box.stderr()}`);
      return { usage: st.cpuUsageUs ?? 0, periods: st.cpuNrPeriods ?? 0, throttled: st.cpuNrThrottled ?? 0 };
    };
    // Each edge of the window is taken while the group sits throttled (two samples 10 ms apart
    // with the same period count and the same usage): its usage is then a whole number of
    // quotas, not somewhere inside a period's burst. A host too busy to let the hogs use up the
    // quota has no such moment: then two periods later is taken as it comes.
    let prev: Awaited<ReturnType<typeof read>> | null = null;
    const edge = (after: number) => (v: Awaited<ReturnType<typeof read>>) => {
      const still = prev !== null && v.periods === prev.periods && v.usage === prev.usage;
      prev = v;
      return v.periods >= after && (still || v.periods >= after + 2);
    };
    // From the second period on, both hogs are spinning and the quota is in force.
    const a = await s.until('the first CFS periods', read, edge(2), { everyMs: 10 });
    const b = await s.until('the period window', read, edge(a.periods + periods), { everyMs: 10 });
    return evaluateCpuMax({
      usageUs: b.usage - a.usage,
      periods: b.periods - a.periods,
      throttledPeriods: b.throttled - a.throttled,
      applied: box.applied['cpu.max']?.value ?? null,
    });
  });
}
