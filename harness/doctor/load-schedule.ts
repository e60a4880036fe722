/**
 * The load generator's schedule on this host: `workloads/main.js load ... --json` against the
 * web workload at rising rates (2 s each after 0.5 s of warm-up); the highest rate at which
 * fewer than 1% of the sends were late (more than 1 ms behind their due time) while the server
 * answered everything. Late sends are the generator's own lag, not the server's: a latency
 * figure from a rate above this one partly measures the generator. The check fails when no rate
 * tried keeps the schedule.
 */
import { inScope } from './scope.js';
import type { ExperimentContext, Verdict } from './types.js';
import { judge, pct } from './verdict.js';
import { generate, startWeb } from './web.js';

export const LADDER_HZ = [250, 500, 1000, 2000, 4000, 8000];
/** The issue's bar: fewer than 1% of the sends late. */
export const LATE_LIMIT = 0.01;

export interface ScheduleStep {
  rateHz: number;
  requests: number;
  late: number;
  maxLateMs: number;
  /** Errors and timeouts: the server did not keep up (the rate is past the server, not the generator). */
  failed: number;
}

export function onSchedule(s: ScheduleStep): boolean {
  return s.requests > 0 && s.late / s.requests < LATE_LIMIT && s.failed === 0;
}

export function evaluateLoadSchedule(steps: readonly ScheduleStep[]): Verdict {
  const good = steps.filter(onSchedule);
  const highest = good.length > 0 ? Math.max(...good.map((s) => s.rateHz)) : null;
  const each = steps
    .map(
      (s) =>
        `${s.rateHz}/s ${pct(s.requests > 0 ? s.late / s.requests : 0)} late (max ${s.maxLateMs.toFixed(1)} ms)${s.failed > 0 ? `, ${s.failed} failed` : ''}`,
    )
    .join('; ');
  // A lower rate can be late where a higher one is not (timer granularity: the generator sleeps
  // in whole milliseconds): say so, so that a pass at 8000/s is not read as a pass at 1000/s.
  const lateBelow = steps.filter((s) => highest !== null && s.rateHz < highest && !onSchedule(s));
  return judge(
    [
      {
        ok: highest !== null,
        what:
          highest === null
            ? `no rate tried kept fewer than ${pct(LATE_LIMIT, 0)} of the sends on time`
            : `on schedule at ${highest}/s${lateBelow.length ? `, but not at ${lateBelow.map((s) => `${s.rateHz}/s`).join(', ')}: figures taken at those rates partly measure the generator` : ''}`,
      },
    ],
    {
      expected: `a rate at which fewer than ${pct(LATE_LIMIT, 0)} of the sends are more than 1 ms late (rates tried: ${LADDER_HZ.join(', ')}/s)`,
      measured: `${highest === null ? 'none' : `${highest}/s`}; ${each}`,
      tolerance: `< ${pct(LATE_LIMIT, 0)} late, no errors or timeouts`,
      figures: {
        highestRateHz: highest,
        ...Object.fromEntries(
          steps.map((s) => [`lateFractionAt${s.rateHz}`, s.requests > 0 ? s.late / s.requests : null]),
        ),
      },
    },
  );
}

export async function run(ctx: ExperimentContext): Promise<Verdict> {
  return inScope(ctx, async (s) => {
    const web = await startWeb(s);
    const steps: ScheduleStep[] = [];
    for (const rateHz of LADDER_HZ) {
      const r = await generate(web, { rateHz, durationMs: 2_000, warmupMs: 500 }, ctx.signal);
      const failed = (r.errors ?? 0) + (r.timeouts ?? 0);
      steps.push({ rateHz, requests: r.requests, late: r.late, maxLateMs: r.maxLateMs, failed });
      // Past what the server answers, higher rates measure the server, not the generator.
      if (failed > 0) break;
    }
    return evaluateLoadSchedule(steps);
  });
}
