/**
 * What `isobench tune` prints: the plan (`--dry-run` and the start of a run), the outcome line
 * and the table of every point. Pure text from the session and tune.json; main.ts writes it.
 */
import { formatApproxDuration } from '../scenario/plan.js';
import { formatKnobValue, type Knob, RATIO_FOR_LOG } from './knob.js';
import { type PointEvaluation, pointLabel, type TuneSession } from './point.js';
import type { TuneFile } from './record.js';
import type { SearchOutcome } from './search.js';
import { formatMetric, type Slo, sloLine } from './slo.js';

/** Bisection steps a knob needs at most to reach the resolution from its whole range. */
export function bisectionSteps(k: Knob, resolution: number): number {
  const span =
    k.scale === 'geometric' ? Math.log(k.loose / k.tight) / Math.log(1 + resolution) : 1 / resolution;
  const steps = Math.ceil(Math.log2(Math.abs(span)));
  const integerSteps = k.integer ? Math.ceil(Math.log2(Math.abs(k.loose - k.tight))) : steps;
  return Math.max(0, Math.min(steps, integerSteps));
}

export function planText(
  s: TuneSession,
  resolution: number,
  budgetMs: number | null,
  trialMs: number,
): string[] {
  const pointsMax = 2 + s.knobs.reduce((n, k, i) => n + (i === 0 ? 0 : 1) + bisectionSteps(k, resolution), 0);
  const fewest = Math.min(s.rule.maxTrials, Math.max(s.rule.minTrials, 5));
  const perPoint = `${fewest} to ${s.rule.maxTrials}`;
  return [
    `victim ${s.victim} in phase ${s.phase.name} (${s.phase.containers.join(', ')}); SLO ${sloLine(s.slo)}`,
    ...s.knobs.map(
      (k) =>
        `knob ${k.path}: ${formatKnobValue(k, k.tight)} (tightest) to ${formatKnobValue(k, k.loose)} (loosest), ${k.scale === 'geometric' ? `geometric midpoints (range over ${RATIO_FOR_LOG}x)` : 'arithmetic midpoints'}; ${k.looserRule}`,
    ),
    `each point: co-located trials one at a time, from ${s.rule.minTrials} on a look after each; "meets" when the median's interval lies under the threshold, "violates" above it (one-sided error ${s.rule.alpha * 100}% over the looks, Pocock-type spending); "unsettled" after ${s.rule.maxTrials} trials, which counts as not meeting`,
    `search: the loosest point, the tightest, then ${s.knobs.length > 1 ? 'each knob in turn bisected (coordinate search, cycles until nothing changes)' : 'bisection'} to a ${Math.round(resolution * 100)}% bracket: at most ${pointsMax} points of ${perPoint} trials, about ${Math.round(trialMs / 1000)} s a trial: ${formatApproxDuration(pointsMax * fewest * trialMs)} to ${formatApproxDuration(pointsMax * s.rule.maxTrials * trialMs).replace(/^about /, '')}${budgetMs === null ? '' : `; budget ${formatApproxDuration(budgetMs).replace(/^about /, '')} (no point started that would end after it)`}`,
  ];
}

export function outcomeText(o: SearchOutcome<PointEvaluation>, session: TuneSession): string {
  const slo = sloLine(session.slo);
  const rec = o.recommendation;
  const recText = rec ? pointLabel(session.knobs, rec.values) : '';
  switch (o.status) {
    case 'no-limit-needed':
      return `no limit needed: at the loosest values (${recText}) ${session.victim} meets ${slo}`;
    case 'infeasible': {
      const tight = o.points.find((p) => p.role === 'tightest');
      return `the SLO cannot be met in these ranges: at the tightest values (${pointLabel(session.knobs, tight?.values ?? [])}) ${session.victim} ${tight?.evaluation.verdict === 'unsettled' ? 'did not settle within the SLO (unsettled, counted as not meeting)' : `violates ${slo}`}`;
    }
    case 'budget':
      return rec
        ? `budget spent before the search ended (time or --max-points): the loosest settings met so far are ${recText} (not narrowed to the resolution)`
        : 'budget spent (time or --max-points) before any point met the SLO: no recommendation';
    case 'interrupted':
      return rec
        ? `interrupted: the loosest settings met so far are ${recText}`
        : 'interrupted before any point met the SLO';
    default:
      return `the loosest settings that meet ${slo}: ${recText}`;
  }
}

export function table(t: TuneFile): string[] {
  const heads = [
    '#',
    'role',
    ...t.knobs.map((k) => k.label),
    'verdict',
    'trials',
    `${t.slo.metric} median`,
    'interval',
  ];
  const m = t.slo.metric as Slo['metric'];
  const rows = t.points.map((p) => [
    String(p.index),
    p.role + (p.knob === null ? '' : ` ${t.knobs[p.knob]?.label ?? ''}`),
    ...p.formatted,
    p.verdict + (p.stoppedBy === 'budget' ? ' (budget)' : ''),
    String(p.trials),
    formatMetric(m, p.estimate.median),
    p.estimate.low === null
      ? '–'
      : `${formatMetric(m, p.estimate.low)} to ${formatMetric(m, p.estimate.high)} (${((p.estimate.level ?? 0) * 100).toFixed(1)}%)`,
  ]);
  const widths = heads.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(heads), ...rows.map(line)];
}
