/**
 * For a sweep (more than one cell): each headline metric against the swept setting, with its
 * 95% interval as a band. The x axis is categorical in cell order, labelled by the one setting
 * that differs (or by cell name when several settings change together).
 */
import type { CellResult, MetricName, ResultsFile } from '../harness/results/types.js';
import { type ChartSpec, colorAt, type DatasetSpec } from './chartspec.js';

/** Setting keys whose values differ between cells, in first-seen order. */
export function sweptSettings(cells: CellResult[]): string[] {
  const keys: string[] = [];
  for (const c of cells) for (const k of Object.keys(c.settings)) if (!keys.includes(k)) keys.push(k);
  return keys.filter((k) => new Set(cells.map((c) => JSON.stringify(c.settings[k] ?? null))).size > 1);
}

export function sweepAxis(cells: CellResult[]): { title: string; labels: string[] } {
  const swept = sweptSettings(cells);
  const only = swept.length === 1 ? (swept[0] as string) : null;
  if (only !== null) {
    return { title: only, labels: cells.map((c) => String(c.settings[only] ?? 'unset')) };
  }
  return { title: 'cell', labels: cells.map((c) => c.name) };
}

const FIGURES: { title: string; yTitle: string; metrics: MetricName[] }[] = [
  {
    title: 'p99 slowdown (co-located / solo)',
    yTitle: 'slowdown (×)',
    metrics: ['latencyP99Us', 'commitP99Us'],
  },
  {
    // Goodput, not open-loop throughput: the latter is the offered rate by construction.
    title: 'goodput or transactions/s ratio (co-located / solo)',
    yTitle: 'ratio (×, below 1 is slower)',
    metrics: ['goodputFraction', 'txnPerSec'],
  },
];

export function sweepCharts(results: ResultsFile): ChartSpec[] {
  const cells = results.cells;
  if (cells.length < 2) return [];
  const axis = sweepAxis(cells);
  const containers: string[] = [];
  for (const c of cells)
    for (const n of Object.keys(c.containers)) if (!containers.includes(n)) containers.push(n);
  const charts: ChartSpec[] = [];
  FIGURES.forEach((fig, fi) => {
    const datasets: DatasetSpec[] = [];
    containers.forEach((container, ci) => {
      const metric = fig.metrics.find((m) =>
        cells.some((c) => c.containers[container]?.slowdown?.[m]?.median != null),
      );
      if (!metric) return;
      const est = cells.map((c) => c.containers[container]?.slowdown?.[metric] ?? null);
      const color = colorAt(ci);
      datasets.push(
        { label: `${container} low`, color, y: est.map((e) => e?.low ?? null), hidden: true },
        {
          label: `${container} 95% interval`,
          color,
          y: est.map((e) => e?.high ?? null),
          hidden: true,
          fillToPrevious: true,
        },
        { label: `${container} ${metric}`, color, y: est.map((e) => e?.median ?? null), points: true },
      );
    });
    if (datasets.length === 0) return;
    charts.push({
      id: `sweep-${fi}`,
      title: fig.title,
      x: { type: 'category', title: axis.title, labels: axis.labels },
      y: { type: 'linear', title: fig.yTitle },
      datasets,
      refY: 1,
    });
  });
  return charts;
}
