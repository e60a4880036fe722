/**
 * Whether two results folders can be analysed as pairs, and the per-trial values compare
 * works on. Two folders pair when they are variants of one interleaved `isobench run
 * --variant` invocation (the same recorded group and plan seed): each trial of one ran right
 * before or after the same trial (cell, phase, repetition) of the other, on the same machine in
 * the same state, so the trial id is the pairing key. Anything else (two runs at different
 * times, a folder from before schemaVersion 2) is compared as two independent samples.
 */
import type { MetricName, ResultsFile, TrialContainer } from '../results/types.js';

export interface Pairing {
  paired: boolean;
  /** Why (not), for the report's method line. */
  reason: string;
}

export function pairingOf(base: ResultsFile, cand: ResultsFile): Pairing {
  const b = base.variant;
  const c = cand.variant;
  if (!b || !c) {
    return {
      paired: false,
      reason: `${!b && !c ? 'neither run is' : !b ? 'the base run is not' : 'the candidate run is not'} a variant of an interleaved run (isobench run --variant)`,
    };
  }
  if (b.group !== c.group) {
    return { paired: false, reason: `the variants come from different runs (${b.group} and ${c.group})` };
  }
  if (base.scenario.seed !== cand.scenario.seed) {
    return {
      paired: false,
      reason: `the plans' seeds differ (${base.scenario.seed} and ${cand.scenario.seed})`,
    };
  }
  return {
    paired: true,
    reason: `variants ${b.name} and ${c.name} of run ${b.group}, interleaved trial by trial`,
  };
}

/** One container's ok trials in a cell and phase, by repetition. */
export function containersByRepetition(
  r: ResultsFile,
  cell: string,
  phase: string,
  container: string,
): Map<number, TrialContainer> {
  const out = new Map<number, TrialContainer>();
  for (const t of r.trials) {
    if (t.status !== 'ok' || t.cell.id !== cell || t.phase.name !== phase) continue;
    const c = t.containers.find((x) => x.name === container);
    if (c) out.set(t.repetition, c);
  }
  return out;
}

export function metricValue(c: TrialContainer | undefined, metric: MetricName): number | null {
  const v = c?.metrics[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** repetition -> value, for the trials that have one. */
export function valuesByRepetition(
  byRep: Map<number, TrialContainer>,
  metric: MetricName,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const [rep, c] of byRep) {
    const v = metricValue(c, metric);
    if (v !== null) out.set(rep, v);
  }
  return out;
}

/** co-located / solo of the same repetition: one slowdown per block that has both. */
export function blockSlowdowns(co: Map<number, number>, solo: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [rep, v] of co) {
    const s = solo.get(rep);
    if (s !== undefined && s > 0) out.set(rep, v / s);
  }
  return out;
}

/** Values present in both maps, keyed alike, as pairs. */
export function pairsOf(
  base: Map<number, number>,
  cand: Map<number, number>,
): { base: number; cand: number }[] {
  const out: { base: number; cand: number }[] = [];
  for (const [rep, b] of [...base].sort((x, y) => x[0] - y[0])) {
    const c = cand.get(rep);
    if (c !== undefined) out.push({ base: b, cand: c });
  }
  return out;
}
