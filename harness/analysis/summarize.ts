/**
 * Turns trial records into the cell results of results.json: per cell, container and phase,
 * the median over trials of each per-trial figure with its 95% interval; percentiles of the
 * merged histograms; and slowdown = colocated / solo with its interval.
 *
 * The trial is the unit of analysis (DESIGN rule 10): each trial contributes one value per
 * metric. A median's interval is the distribution-free order-statistic interval (exact
 * coverage >= 95% for any continuous distribution; none below 6 trials, where [min, max] covers
 * less). A slowdown is computed within each repetition block: the co-located trial over the
 * solo trial of the same repetition, so that drift shared by the block cancels, summarized by
 * the Hodges-Lehmann estimate of the per-block log ratios with a Wilcoxon signed-rank interval
 * (statistics digest, section 7). Failed trials are counted and listed, never estimated from:
 * a trial that died from an OOM kill has no meaningful p99.
 */
import { CGROUP_FIGURES, type CgroupFigure, METRIC_NAMES } from '../results/columns.js';
import {
  type CellResult,
  type CgroupWindow,
  type ContainerCellResult,
  type Estimate,
  METRIC_SCALE,
  type MergedPercentiles,
  type MetricName,
  type PhaseSummary,
  type TrialContainer,
  type TrialRecord,
} from '../results/types.js';
import { pairedEffect } from './effect.js';
import { mergeHistograms } from './histograms.js';
import { medianIntervalSorted, medianSorted, sortedAscending } from './quantiles.js';
import { fewestTailSamples } from './tails.js';

export interface SummarizeInput {
  cells: { id: string; name: string; settings: Record<string, string | number | boolean> }[];
  phases: { name: string; kind: 'solo' | 'colocated'; containers: string[] }[];
  trials: TrialRecord[];
}

type Phase = SummarizeInput['phases'][number];

/** Median with its order-statistic 95% interval. */
export function medianEstimate(values: readonly number[]): Estimate {
  const sorted = sortedAscending(values);
  if (sorted.length === 0) return { median: null, low: null, high: null, n: 0 };
  const iv = medianIntervalSorted(sorted, 0.95);
  return { median: medianSorted(sorted), low: iv?.low ?? null, high: iv?.high ?? null, n: sorted.length };
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

/** One container's ok trials of one phase, by repetition (for per-block slowdowns). */
interface PhaseData {
  summary: PhaseSummary;
  byRepetition: Map<number, TrialContainer>;
}

function withTail(e: Estimate, tail: number | null): Estimate {
  return tail === null ? e : { ...e, tailSamples: tail };
}

function summarizePhase(phase: Phase, container: string, trials: readonly TrialRecord[]): PhaseData {
  const failures = trials.flatMap((t) => (t.status === 'failed' ? [{ trial: t.id, reason: t.reason }] : []));
  const byRepetition = new Map<number, TrialContainer>();
  const ok: TrialContainer[] = [];
  for (const t of trials) {
    const c = t.status === 'ok' ? t.containers.find((x) => x.name === container) : undefined;
    if (!c) continue;
    ok.push(c);
    byRepetition.set(t.repetition, c);
  }
  const invalid = trials.flatMap((t) => (t.status === 'invalid' ? [{ trial: t.id, reason: t.reason }] : []));
  const summary: PhaseSummary = {
    phase: phase.name,
    trials: trials.length,
    failed: failures.length,
    failures,
    invalid,
    metrics: {},
    merged: {},
    cgroup: {},
  };
  for (const m of METRIC_NAMES) {
    const values = valuesOf(ok, (c) => c.metrics[m]);
    if (values.length === 0) continue;
    summary.metrics[m] = withTail(medianEstimate(values), fewestTailSamples(ok, m));
  }
  for (const key of ['latencyUs', 'commitLatencyUs'] as const) {
    const merged = mergedOf(ok, key);
    if (merged) summary.merged[key] = merged;
  }
  for (const f of CGROUP_FIGURES) {
    const values = valuesOf(ok, (c) => cgroupFigure(c.cgroup, f));
    if (values.length > 0) summary.cgroup[f] = medianEstimate(values);
  }
  return { summary, byRepetition };
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * colocated / solo per ratio-scale metric, within each repetition block that has both ok
 * trials; `n` counts those blocks. Difference-scale figures (error fractions) have no ratio.
 */
function slowdownOf(colocated: PhaseData, solo: PhaseData): Partial<Record<MetricName, Estimate>> {
  const out: Partial<Record<MetricName, Estimate>> = {};
  for (const m of METRIC_NAMES) {
    if (METRIC_SCALE[m] !== 'ratio') continue;
    const pairs: { base: number; cand: number }[] = [];
    const used: TrialContainer[] = [];
    for (const [rep, co] of colocated.byRepetition) {
      const so = solo.byRepetition.get(rep);
      const cand = co.metrics[m];
      const base = so?.metrics[m];
      if (!so || !isFiniteNumber(cand) || !isFiniteNumber(base)) continue;
      pairs.push({ base, cand });
      used.push(co, so);
    }
    if (pairs.length === 0) continue;
    const e = pairedEffect(pairs, { scale: 'ratio', intervalAlpha: 0.05, equivalenceAlpha: 0.1 });
    out[m] = withTail(
      { median: e.estimate, low: e.interval?.low ?? null, high: e.interval?.high ?? null, n: pairs.length },
      fewestTailSamples(used, m),
    );
  }
  return out;
}

/** The solo phase of a container: the one that runs it and nothing else. */
function soloPhaseOf(phases: readonly Phase[], container: string): Phase | undefined {
  return phases.find((p) => p.kind === 'solo' && p.containers.length === 1 && p.containers[0] === container);
}

export function summarizeCells(input: SummarizeInput): CellResult[] {
  const containerNames = [...new Set(input.phases.flatMap((p) => p.containers))];
  return input.cells.map((cell) => {
    const trialsOf = (phase: Phase) =>
      input.trials.filter((t) => t.cell.id === cell.id && t.phase.name === phase.name);
    const containers: Record<string, ContainerCellResult> = {};
    for (const name of containerNames) {
      const soloPhase = soloPhaseOf(input.phases, name);
      const coPhase = input.phases.find((p) => p.kind === 'colocated' && p.containers.includes(name));
      const solo = soloPhase ? summarizePhase(soloPhase, name, trialsOf(soloPhase)) : null;
      const colocated = coPhase ? summarizePhase(coPhase, name, trialsOf(coPhase)) : null;
      const neighbours = input.phases
        .filter((p) => p.kind === 'colocated' && p.containers.includes(name))
        .map((p) => {
          const data = p === coPhase && colocated ? colocated : summarizePhase(p, name, trialsOf(p));
          return {
            phase: p.name,
            with: p.containers.filter((c) => c !== name),
            colocated: data.summary,
            slowdown: solo ? slowdownOf(data, solo) : null,
          };
        });
      containers[name] = {
        solo: solo?.summary ?? null,
        colocated: colocated?.summary ?? null,
        slowdown: solo && colocated ? slowdownOf(colocated, solo) : null,
        neighbours,
      };
    }
    return { id: cell.id, name: cell.name, settings: cell.settings, containers };
  });
}
