/**
 * The measurements behind compare's rows, before any verdict: for each cell, container, phase
 * and metric, the trials of both runs (paired by repetition when the runs are variants of one
 * interleaved run), and for each co-located phase the change in slowdown, computed from the
 * per-block slowdowns of each run (co-located over the solo trial of the same repetition).
 */
import { type Effect, type EffectOptions, pairedEffect, unpairedEffect } from '../analysis/effect.js';
import { median } from '../analysis/quantiles.js';
import { fewestTailSamples } from '../analysis/tails.js';
import {
  HIGHER_IS_WORSE,
  METRIC_SCALE,
  type MetricName,
  type ResultsFile,
  TAIL_BEYOND,
  type TrialContainer,
} from '../results/types.js';
import { containerNames } from './differences.js';
import { blockSlowdowns, containersByRepetition, pairsOf, valuesByRepetition } from './pairing.js';

export interface Measured {
  cell: string;
  cellName: string;
  container: string;
  /** Phase name, or `<colocated>/<solo>` for a slowdown row. */
  phase: string;
  kind: 'solo' | 'colocated' | 'slowdown';
  metric: MetricName;
  higherIsWorse: boolean;
  scale: 'ratio' | 'difference';
  /** Median over the trials used (slowdown rows: of the run's per-block slowdowns). */
  baseMedian: number | null;
  candMedian: number | null;
  effect: Effect;
  /** Fewest values beyond the percentile in any trial used (tail percentiles only). */
  tailSamples: number | null;
}

const medianOf = (m: Map<number, number>) => (m.size > 0 ? median([...m.values()]) : null);

function effectOf(
  base: Map<number, number>,
  cand: Map<number, number>,
  paired: boolean,
  opts: EffectOptions,
): Effect {
  return paired
    ? pairedEffect(pairsOf(base, cand), opts)
    : unpairedEffect([...base.values()], [...cand.values()], opts);
}

function tailOf(metric: MetricName, ...maps: Map<number, TrialContainer>[]): number | null {
  if (TAIL_BEYOND[metric] === undefined) return null;
  return fewestTailSamples(
    maps.flatMap((m) => [...m.values()]),
    metric,
  );
}

/** Every row's measurement, in a stable order: cell, container, metric, phases, then slowdowns. */
export function measureRows(
  base: ResultsFile,
  cand: ResultsFile,
  metrics: readonly MetricName[],
  paired: boolean,
  levels: { intervalAlpha: number; equivalenceAlpha: number },
): Measured[] {
  const out: Measured[] = [];
  for (const cell of base.cells) {
    for (const container of containerNames(base)) {
      const phases = base.scenario.phases.filter((p) => p.containers.includes(container));
      const byPhase = new Map(
        phases.map((p) => [
          p.name,
          {
            b: containersByRepetition(base, cell.id, p.name, container),
            c: containersByRepetition(cand, cell.id, p.name, container),
          },
        ]),
      );
      for (const metric of metrics) {
        const scale = METRIC_SCALE[metric];
        const opts = { scale, ...levels };
        const common = {
          cell: cell.id,
          cellName: cell.name,
          container,
          metric,
          higherIsWorse: HIGHER_IS_WORSE[metric],
          scale,
        };
        const values = new Map<string, { b: Map<number, number>; c: Map<number, number> }>();
        for (const phase of phases) {
          const g = byPhase.get(phase.name) as {
            b: Map<number, TrialContainer>;
            c: Map<number, TrialContainer>;
          };
          const b = valuesByRepetition(g.b, metric);
          const c = valuesByRepetition(g.c, metric);
          values.set(phase.name, { b, c });
          if (b.size === 0 && c.size === 0) continue; // this container does not measure it
          out.push({
            ...common,
            phase: phase.name,
            kind: phase.kind,
            baseMedian: medianOf(b),
            candMedian: medianOf(c),
            effect: effectOf(b, c, paired, opts),
            tailSamples: tailOf(metric, g.b, g.c),
          });
        }
        // Slowdown rows: the container's own solo phase against each co-located phase that runs
        // it (one in most scenarios; one per aggressor in an IBS-style matrix), as summarizeCells
        // pairs them; ratio-scale metrics only (a ratio of error fractions means nothing).
        if (scale !== 'ratio') continue;
        const solo = phases.find((p) => p.kind === 'solo' && p.containers.length === 1);
        const s = solo && values.get(solo.name);
        if (!solo || !s) continue;
        for (const co of phases.filter((p) => p.kind === 'colocated')) {
          const k = values.get(co.name);
          if (!k) continue;
          const sb = blockSlowdowns(k.b, s.b);
          const sc = blockSlowdowns(k.c, s.c);
          if (sb.size === 0 || sc.size === 0) continue;
          const gs = byPhase.get(solo.name);
          const gk = byPhase.get(co.name);
          out.push({
            ...common,
            phase: `${co.name}/${solo.name}`,
            kind: 'slowdown',
            baseMedian: medianOf(sb),
            candMedian: medianOf(sc),
            effect: effectOf(sb, sc, paired, opts),
            tailSamples: gs && gk ? tailOf(metric, gs.b, gs.c, gk.b, gk.c) : null,
          });
        }
      }
    }
  }
  return out;
}
