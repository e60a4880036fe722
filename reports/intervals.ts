/** The load generator's per-second figures (its interval histograms) as time-series charts. */
import type { TrialRecord } from '../harness/results/types.js';
import { type ChartSpec, colorAt, round4 } from './chartspec.js';
import type { Segment } from './timeseries.js';

interface IntervalPoint {
  startMs: number;
  durationMs: number;
  warmup: boolean;
  requests: number;
  late: number;
  latencyUs: { p50: number; p99: number };
}

/** The load generator's per-second figures of a container in a trial (measured window only). */
function intervalsOf(trial: TrialRecord, container: string): IntervalPoint[] {
  const raw = trial.containers.find((c) => c.name === container)?.load?.intervals;
  if (!Array.isArray(raw)) return [];
  return (raw as IntervalPoint[]).filter(
    (i) => !i.warmup && typeof i.startMs === 'number' && typeof i.latencyUs?.p99 === 'number',
  );
}

/**
 * Per second of every trial, from the load generator's interval histograms: corrected latency
 * p50 and p99, and the share of sends that went out late. Shows warm-up effects and the variance
 * within a trial that one figure per trial hides.
 */
export function intervalCharts(segments: Segment[], container: string, ci: number): ChartSpec[] {
  const p50: (number | null)[] = [];
  const p99: (number | null)[] = [];
  const late: (number | null)[] = [];
  for (const seg of segments) {
    const points = intervalsOf(seg.trial, container);
    if (points.length === 0) continue;
    if (p50.length > 0) for (const s of [p50, p99, late]) s.push(s[s.length - 2] as number, null);
    for (const i of points) {
      const x = round4(seg.startS + (i.startMs + i.durationMs / 2) / 1000);
      p50.push(x, round4(i.latencyUs.p50 / 1000));
      p99.push(x, round4(i.latencyUs.p99 / 1000));
      late.push(x, i.requests > 0 ? round4((100 * i.late) / i.requests) : 0);
    }
  }
  if (p50.length === 0) return [];
  const axis = { type: 'linear' as const, title: 'measured time, trials end to end (s)' };
  return [
    {
      id: `ts-${ci}-latency`,
      title: `${container}: latency per second (load generator)`,
      x: axis,
      y: { type: 'logarithmic', title: 'ms (coordinated-omission corrected)' },
      datasets: [
        { label: 'p50', color: colorAt(0), xy: p50, dash: false },
        { label: 'p99', color: colorAt(1), xy: p99, dash: false },
      ],
      boundaries: true,
    },
    {
      id: `ts-${ci}-late`,
      title: `${container}: late sends per second (load generator)`,
      x: axis,
      y: { type: 'linear', title: '% of sends over 1 ms late', beginAtZero: true },
      datasets: [{ label: 'late sends', color: colorAt(2), xy: late, dash: false }],
      boundaries: true,
    },
  ];
}
