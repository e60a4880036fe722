/**
 * Time-series charts per container (CPU, memory against its limit, IO rates, PSI some/full)
 * from samples.csv. Trials are laid end to end in run order on one x axis (seconds of measured
 * time), so phase boundaries are trial boundaries; a container absent from a trial leaves a gap.
 * Only the measured window is drawn (warmup samples serve as the first rate's baseline).
 * Counters become rates between consecutive samples; each trial's segment is downsampled with
 * LTTB to its share of POINTS_PER_SERIES.
 */
import type { ResultsFile, TrialRecord } from '../harness/results/types.js';
import { type ChartSpec, colorAt, type DatasetSpec, round4 } from './chartspec.js';
import { intervalCharts } from './intervals.js';
import { lttbIndices } from './lttb.js';
import type { SampleColumn, SampleSeries, SamplesByTrial } from './samples.js';

/** Points kept per series over the whole run: a one-hour run at 500 ms has 7,200 per series. */
export const POINTS_PER_SERIES = 1200;

export interface Segment {
  trial: TrialRecord;
  startS: number;
  lengthS: number;
}

export function timeline(results: ResultsFile, samples: SamplesByTrial | null): Segment[] {
  const trials = [...results.trials].sort((a, b) => a.index - b.index);
  let at = 0;
  return trials.map((trial) => {
    let lastMs = 0;
    for (const s of samples?.get(trial.id)?.values() ?? []) {
      const t = s.tMs[s.tMs.length - 1];
      if (t !== undefined && t > lastMs) lastMs = t;
    }
    const lengthS = Math.max(trial.durationMs, lastMs) / 1000;
    const seg = { trial, startS: at, lengthS };
    at += lengthS;
    return seg;
  });
}

type Transform = (s: SampleSeries, i: number) => number | null;

/** Rate of a cumulative counter between sample i-1 and i, per second, times `scale`. */
function rate(col: SampleColumn, scale: number): Transform {
  return (s, i) => {
    if (i === 0) return null;
    const v = s.values[col][i];
    const p = s.values[col][i - 1];
    const t = s.tMs[i] as number;
    const tp = s.tMs[i - 1] as number;
    if (v == null || p == null || t <= tp || v < p) return null;
    return ((v - p) / ((t - tp) / 1000)) * scale;
  };
}

function gauge(col: SampleColumn, scale: number): Transform {
  return (s, i) => {
    const v = s.values[col][i];
    return v == null ? null : v * scale;
  };
}

interface SeriesDef {
  label: string;
  f: Transform;
  dash?: boolean;
}

interface ChartDef {
  key: string;
  title: string;
  yTitle: string;
  series: SeriesDef[];
  /** memory: the applied memory.max / memory.high of the trial, drawn as flat lines. */
  limits?: boolean;
}

const MIB = 1 / 2 ** 20;

function chartDefs(isHost: boolean): ChartDef[] {
  const psi = (res: 'Cpu' | 'Memory' | 'Io', kind: 'Some' | 'Full'): SeriesDef => ({
    label: `${res.toLowerCase()} ${kind.toLowerCase()}`,
    // µs stalled per second of wall time -> percent of time.
    f: rate(`psi${res}${kind}Us` as SampleColumn, 100 / 1e6),
    dash: kind === 'Full',
  });
  return [
    {
      key: 'cpu',
      title: 'CPU',
      yTitle: 'CPUs busy',
      series: isHost
        ? [{ label: 'host busy (all CPUs)', f: rate('hostBusyUs', 1 / 1e6) }]
        : [
            { label: 'usage', f: rate('cpuUsageUs', 1 / 1e6) },
            { label: 'throttled', f: rate('cpuThrottledUs', 1 / 1e6), dash: true },
          ],
    },
    ...(isHost
      ? []
      : [
          {
            key: 'memory',
            title: 'Memory',
            yTitle: 'MiB',
            series: [{ label: 'memory.current', f: gauge('memoryCurrentBytes', MIB) }],
            limits: true,
          },
          {
            key: 'io',
            title: 'IO',
            yTitle: 'MiB/s',
            series: [
              { label: 'read', f: rate('ioReadBytes', MIB) },
              { label: 'write', f: rate('ioWriteBytes', MIB) },
            ],
          },
        ]),
    {
      key: 'psi',
      title: 'Pressure (PSI)',
      yTitle: '% of time stalled',
      series: [
        psi('Cpu', 'Some'),
        psi('Cpu', 'Full'),
        psi('Memory', 'Some'),
        psi('Memory', 'Full'),
        psi('Io', 'Some'),
        psi('Io', 'Full'),
      ],
    },
  ];
}

function limitBytes(trial: TrialRecord, container: string, key: string): number | null {
  const v = trial.containers.find((c) => c.name === container)?.limits.applied[key]?.value;
  if (v === undefined || !/^\d+$/.test(v)) return null;
  return Number(v);
}

/** One series over the whole timeline, with a null gap between trials. */
function buildSeries(
  segments: Segment[],
  samples: SamplesByTrial,
  container: string,
  f: Transform,
  budget: number,
): (number | null)[] | null {
  const perSegment: { seg: Segment; xs: number[]; ys: number[] }[] = [];
  let total = 0;
  for (const seg of segments) {
    const s = samples.get(seg.trial.id)?.get(container);
    if (!s) continue;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < s.tMs.length; i++) {
      const t = s.tMs[i] as number;
      if (t < 0) continue;
      const y = f(s, i);
      if (y === null || !Number.isFinite(y)) continue;
      xs.push(seg.startS + t / 1000);
      ys.push(y);
    }
    if (xs.length === 0) continue;
    perSegment.push({ seg, xs, ys });
    total += xs.length;
  }
  if (total === 0) return null;
  const out: (number | null)[] = [];
  for (const { xs, ys } of perSegment) {
    const share = Math.max(3, Math.round((budget * xs.length) / Math.max(total, budget)));
    if (out.length > 0) out.push(out[out.length - 2] as number, null);
    for (const i of lttbIndices(xs, ys, share)) out.push(round4(xs[i] as number), round4(ys[i] as number));
  }
  return out;
}

function limitSeries(segments: Segment[], container: string, key: string): (number | null)[] | null {
  const out: (number | null)[] = [];
  for (const seg of segments) {
    if (!seg.trial.containers.some((c) => c.name === container)) continue;
    const bytes = limitBytes(seg.trial, container, key);
    if (bytes === null) continue;
    if (out.length > 0) out.push(round4(seg.startS), null);
    out.push(round4(seg.startS), round4(bytes * MIB), round4(seg.startS + seg.lengthS), round4(bytes * MIB));
  }
  return out.length > 0 ? out : null;
}

/** The charts for every container in scenario order, then the host; [] without samples. */
export function timeSeriesCharts(results: ResultsFile, samples: SamplesByTrial | null): ChartSpec[] {
  if (!samples) return [];
  const segments = timeline(results, samples);
  const names: string[] = [];
  for (const p of results.scenario.phases)
    for (const c of p.containers) if (!names.includes(c)) names.push(c);
  names.push('host');
  const charts: ChartSpec[] = [];
  names.forEach((container, ci) => {
    charts.push(...intervalCharts(segments, container, ci));
    for (const def of chartDefs(container === 'host')) {
      const datasets: DatasetSpec[] = [];
      def.series.forEach((sd, si) => {
        const xy = buildSeries(segments, samples, container, sd.f, POINTS_PER_SERIES);
        if (xy) datasets.push({ label: sd.label, color: colorAt(si), xy, dash: sd.dash ?? false });
      });
      if (def.limits) {
        for (const [key, color] of [
          ['memory.max', '#000000'],
          ['memory.high', '#7f7f7f'],
        ] as const) {
          const xy = limitSeries(segments, container, key);
          if (xy) datasets.push({ label: `${key} (applied)`, color, xy, dash: true });
        }
      }
      if (datasets.length === 0) continue;
      charts.push({
        id: `ts-${ci}-${def.key}`,
        title: `${container}: ${def.title}`,
        x: { type: 'linear', title: 'measured time, trials end to end (s)' },
        y: { type: 'linear', title: def.yTitle, beginAtZero: true },
        datasets,
        boundaries: true,
      });
    }
  });
  return charts;
}

function short(text: string): string {
  return text.length > 14 ? `${text.slice(0, 13)}…` : text;
}

export function boundaries(results: ResultsFile, samples: SamplesByTrial | null) {
  const cellNames = new Map(results.cells.map((c) => [c.id, c.name]));
  return timeline(results, samples).map((s) => ({
    x: round4(s.startS),
    label: `${results.cells.length > 1 ? `${short(cellNames.get(s.trial.cell.id) ?? s.trial.cell.name)} · ` : ''}${s.trial.phase.name} r${s.trial.repetition}${s.trial.status === 'failed' ? ' DNR' : s.trial.status === 'invalid' ? ' invalid' : ''}`,
  }));
}
