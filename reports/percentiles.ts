/**
 * Latency percentile plots (p50 to p99.9): for each served workload, solo against co-located in
 * every cell, from the trials' HDR histograms merged per cell and phase (percentiles are read
 * from merged histograms, never averaged). x is -log10(1 - p), the usual HdrHistogram
 * percentile-distribution axis that spreads the tail; y is latency on a log scale.
 */
import * as hdr from 'hdr-histogram-js';
import type { ResultsFile, TrialRecord } from '../harness/results/types.js';
import { type ChartSpec, colorAt, type DatasetSpec, round4 } from './chartspec.js';

type HistogramKind = 'latencyUs' | 'commitLatencyUs';
const KINDS: { kind: HistogramKind; title: string }[] = [
  { kind: 'latencyUs', title: 'request latency (from due time)' },
  { kind: 'commitLatencyUs', title: 'commit latency' },
];

/** x positions from p50 (0.301) to p99.9 (3) in steps of 0.1. */
const XS = Array.from({ length: 28 }, (_, i) => Math.min(3, Math.log10(2) + i * 0.1));

function spectrum(trials: TrialRecord[], container: string, kind: HistogramKind): (number | null)[] | null {
  const merged = hdr.build({ bitBucketSize: 64, autoResize: true, numberOfSignificantValueDigits: 3 });
  let any = false;
  for (const t of trials) {
    const encoded = t.containers.find((c) => c.name === container)?.histograms[kind];
    if (!encoded) continue;
    try {
      merged.add(hdr.decodeFromCompressedBase64(encoded, 64));
      any = true;
    } catch {
      // A histogram that does not decode is reported by analysis; the plot skips it.
    }
  }
  if (!any || merged.totalCount === 0) return null;
  const out: (number | null)[] = [];
  for (const x of XS) {
    const p = 100 * (1 - 10 ** -x);
    out.push(round4(x), round4(Math.max(1, merged.getValueAtPercentile(p)) / 1000));
  }
  return out;
}

export function percentileCharts(results: ResultsFile): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const containers: string[] = [];
  for (const cell of results.cells)
    for (const c of Object.keys(cell.containers)) if (!containers.includes(c)) containers.push(c);
  containers.forEach((container, ci) => {
    for (const { kind, title } of KINDS) {
      const datasets: DatasetSpec[] = [];
      results.cells.forEach((cell, k) => {
        const r = cell.containers[container];
        if (!r) return;
        for (const [role, summary] of [
          ['solo', r.solo],
          ['co-located', r.colocated],
        ] as const) {
          if (!summary) continue;
          const trials = results.trials.filter(
            (t) => t.status === 'ok' && t.cell.id === cell.id && t.phase.name === summary.phase,
          );
          const xy = spectrum(trials, container, kind);
          if (xy)
            datasets.push({ label: `${cell.name} ${role}`, color: colorAt(k), xy, dash: role === 'solo' });
        }
      });
      if (datasets.length === 0) continue;
      charts.push({
        id: `pct-${ci}-${kind}`,
        title: `${container}: ${title}, solo (dashed) vs co-located (solid)`,
        x: { type: 'percentile', title: 'percentile' },
        y: { type: 'logarithmic', title: 'latency (ms, log scale)' },
        datasets,
      });
    }
  });
  return charts;
}
