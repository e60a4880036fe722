/** The figures a run ends with: per cell and container, the headline metric solo, co-located and the slowdown. */
import type { CellResult, Estimate, MetricName, ResultsFile } from '../results/types.js';

/** The metric that best says "was this container hurt": p99 latency for servers, commit p99 for the db. */
const HEADLINE_METRICS: MetricName[] = ['latencyP99Us', 'throughputRps', 'commitP99Us', 'txnPerSec'];

function fmt(metric: MetricName, v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (metric.endsWith('Us')) return v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${Math.round(v)} µs`;
  return v.toFixed(1);
}

function ratio(e: Estimate | undefined): string {
  if (!e || e.median === null) return '-';
  const iv = e.low !== null && e.high !== null ? ` [${e.low.toFixed(2)}, ${e.high.toFixed(2)}]` : '';
  return `${e.median.toFixed(2)}x${iv}`;
}

export function headlineRows(cells: CellResult[]) {
  const rows: {
    cell: string;
    container: string;
    metric: MetricName;
    solo: number | null;
    colocated: number | null;
    slowdown: Estimate | null;
  }[] = [];
  for (const cell of cells) {
    for (const [name, c] of Object.entries(cell.containers)) {
      for (const metric of HEADLINE_METRICS) {
        const solo = c.solo?.metrics[metric]?.median ?? null;
        const colocated = c.colocated?.metrics[metric]?.median ?? null;
        if (solo === null && colocated === null) continue;
        rows.push({
          cell: cell.name,
          container: name,
          metric,
          solo,
          colocated,
          slowdown: c.slowdown?.[metric] ?? null,
        });
      }
    }
  }
  return rows;
}

export function headline(outDir: string, r: ResultsFile): string {
  const ok = r.trials.filter((t) => t.status === 'ok').length;
  const lines = [
    `${r.status === 'complete' ? 'done' : 'interrupted'}: ${ok} of ${r.trials.length} trials ok -> ${outDir}`,
  ];
  const rows = headlineRows(r.cells);
  if (rows.length) {
    lines.push(
      '',
      `${'cell'.padEnd(24)} ${'container'.padEnd(10)} ${'metric'.padEnd(14)} ${'solo'.padStart(10)} ${'co-located'.padStart(11)}  slowdown [95% CI]`,
    );
    for (const row of rows) {
      lines.push(
        `${row.cell.padEnd(24)} ${row.container.padEnd(10)} ${row.metric.padEnd(14)} ${fmt(row.metric, row.solo).padStart(10)} ${fmt(row.metric, row.colocated).padStart(11)}  ${ratio(row.slowdown ?? undefined)}`,
      );
    }
  }
  for (const t of r.trials) if (t.status === 'failed') lines.push(`failed: ${t.id}: ${t.reason}`);
  return `${lines.join('\n')}\n`;
}

export function headlineJson(outDir: string, r: ResultsFile) {
  return {
    resultsDir: outDir,
    status: r.status,
    trials: {
      ok: r.trials.filter((t) => t.status === 'ok').length,
      failed: r.trials.filter((t) => t.status === 'failed').length,
    },
    headline: headlineRows(r.cells),
  };
}
