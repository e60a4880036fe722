/**
 * Turns trial records into the cell results of results.json: per cell, container and phase,
 * the median over trials of each per-trial figure with a 95% bootstrap interval; percentiles of
 * the merged histograms; and slowdown = colocated / solo with its interval.
 *
 * The trial is the unit of analysis (DESIGN rule 10): each trial contributes one value per
 * metric, and the interval resamples trials. Failed trials are counted and listed, never
 * estimated from: a trial that died from an OOM kill has no meaningful p99.
 */
import { CGROUP_FIGURES, type CgroupFigure, METRIC_NAMES } from '../results/columns.js';
import type {
  CellResult,
  CgroupWindow,
  ContainerCellResult,
  Estimate,
  MergedPercentiles,
  MetricName,
  PhaseSummary,
  TrialContainer,
  TrialRecord,
} from '../results/types.js';
import { type BootstrapEstimate, bootstrapMedianCI, bootstrapRatioCI } from './bootstrap.js';
import { mergeHistograms } from './histograms.js';

export interface SummarizeInput {
  cells: { id: string; name: string; settings: Record<string, string | number | boolean> }[];
  phases: { name: string; kind: 'solo' | 'colocated'; containers: string[] }[];
  trials: TrialRecord[];
  /** Bootstrap seed; the same seed gives the same intervals, bit for bit. */
  seed?: number;
  /** Bootstrap resamples (default 10,000). */
  iterations?: number;
}

type Phase = SummarizeInput['phases'][number];
type Boot = { seed?: number; iterations?: number };

function toEstimate(b: BootstrapEstimate, n: number): Estimate {
  return { median: b.estimate, low: b.interval?.low ?? null, high: b.interval?.high ?? null, n };
}

function cgroupFigure(w: CgroupWindow, f: CgroupFigure): number | null {
  switch (f) {
    case 'psiCpuSomeUs':
      return w.psi?.cpu?.someTotalUs ?? null;
    case 'psiCpuFullUs':
      return w.psi?.cpu?.fullTotalUs ?? null;
    case 'psiMemorySomeUs':
      return w.psi?.memory?.someTotalUs ?? null;
    case 'psiMemoryFullUs':
      return w.psi?.memory?.fullTotalUs ?? null;
    case 'psiIoSomeUs':
      return w.psi?.io?.someTotalUs ?? null;
    case 'psiIoFullUs':
      return w.psi?.io?.fullTotalUs ?? null;
    default:
      return w[f];
  }
}

/** Values present (finite, non-null) across the given containers. */
function valuesOf(
  cs: readonly TrialContainer[],
  pick: (c: TrialContainer) => number | null | undefined,
): number[] {
  const out: number[] = [];
  for (const c of cs) {
    const v = pick(c);
    if (typeof v === 'number' && Number.isFinite(v)) out.push(v);
  }
  return out;
}

function mergedOf(
  cs: readonly TrialContainer[],
  key: 'latencyUs' | 'commitLatencyUs',
): MergedPercentiles | null {
  const encoded = cs.flatMap((c) => (c.histograms[key] ? [c.histograms[key]] : []));
  if (encoded.length === 0) return null;
  const m = mergeHistograms(encoded);
  return (
    m && { count: m.count, p50Us: m.p50Us, p90Us: m.p90Us, p99Us: m.p99Us, p999Us: m.p999Us, maxUs: m.maxUs }
  );
}

/** One container's figures in the ok trials of one phase, keyed by metric (for slowdown). */
interface PhaseData {
  summary: PhaseSummary;
  metricValues: Partial<Record<MetricName, number[]>>;
}

function summarizePhase(
  phase: Phase,
  container: string,
  trials: readonly TrialRecord[],
  boot: Boot,
): PhaseData {
  const failures = trials.flatMap((t) => (t.status === 'failed' ? [{ trial: t.id, reason: t.reason }] : []));
  const ok = trials.flatMap((t) => {
    const c = t.status === 'ok' ? t.containers.find((x) => x.name === container) : undefined;
    return c ? [c] : [];
  });
  const summary: PhaseSummary = {
    phase: phase.name,
    trials: trials.length,
    failed: failures.length,
    failures,
    metrics: {},
    merged: {},
    cgroup: {},
  };
  const metricValues: PhaseData['metricValues'] = {};
  for (const m of METRIC_NAMES) {
    const values = valuesOf(ok, (c) => c.metrics[m]);
    if (values.length === 0) continue;
    metricValues[m] = values;
    summary.metrics[m] = toEstimate(bootstrapMedianCI(values, boot), values.length);
  }
  for (const key of ['latencyUs', 'commitLatencyUs'] as const) {
    const merged = mergedOf(ok, key);
    if (merged) summary.merged[key] = merged;
  }
  for (const f of CGROUP_FIGURES) {
    const values = valuesOf(ok, (c) => cgroupFigure(c.cgroup, f));
    if (values.length > 0) summary.cgroup[f] = toEstimate(bootstrapMedianCI(values, boot), values.length);
  }
  return { summary, metricValues };
}

/** colocated / solo per metric; `n` is the smaller side's trial count. */
function slowdownOf(
  colocated: PhaseData,
  solo: PhaseData,
  boot: Boot,
): Partial<Record<MetricName, Estimate>> {
  const out: Partial<Record<MetricName, Estimate>> = {};
  for (const m of METRIC_NAMES) {
    const num = colocated.metricValues[m];
    const den = solo.metricValues[m];
    if (!num || !den) continue;
    out[m] = toEstimate(bootstrapRatioCI(num, den, boot), Math.min(num.length, den.length));
  }
  return out;
}

/** The solo phase of a container: the one that runs it and nothing else. */
function soloPhaseOf(phases: readonly Phase[], container: string): Phase | undefined {
  return phases.find((p) => p.kind === 'solo' && p.containers.length === 1 && p.containers[0] === container);
}

export function summarizeCells(input: SummarizeInput): CellResult[] {
  const boot: Boot = {};
  if (input.seed !== undefined) boot.seed = input.seed;
  if (input.iterations !== undefined) boot.iterations = input.iterations;
  const containerNames = [...new Set(input.phases.flatMap((p) => p.containers))];
  return input.cells.map((cell) => {
    const trialsOf = (phase: Phase) =>
      input.trials.filter((t) => t.cell.id === cell.id && t.phase.name === phase.name);
    const containers: Record<string, ContainerCellResult> = {};
    for (const name of containerNames) {
      const soloPhase = soloPhaseOf(input.phases, name);
      const coPhase = input.phases.find((p) => p.kind === 'colocated' && p.containers.includes(name));
      const solo = soloPhase ? summarizePhase(soloPhase, name, trialsOf(soloPhase), boot) : null;
      const colocated = coPhase ? summarizePhase(coPhase, name, trialsOf(coPhase), boot) : null;
      const neighbours = input.phases
        .filter((p) => p.kind === 'colocated' && p.containers.includes(name))
        .map((p) => {
          const data = p === coPhase && colocated ? colocated : summarizePhase(p, name, trialsOf(p), boot);
          return {
            phase: p.name,
            with: p.containers.filter((c) => c !== name),
            colocated: data.summary,
            slowdown: solo ? slowdownOf(data, solo, boot) : null,
          };
        });
      containers[name] = {
        solo: solo?.summary ?? null,
        colocated: colocated?.summary ?? null,
        slowdown: solo && colocated ? slowdownOf(colocated, solo, boot) : null,
        neighbours,
      };
    }
    return { id: cell.id, name: cell.name, settings: cell.settings, containers };
  });
}
