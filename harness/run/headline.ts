/**
 * The figures a run ends with: per cell and container, the headline metrics solo, co-located
 * and the slowdown with its interval, what the open loop revealed (errors, timeouts, goodput,
 * late sends), how a sequential run stopped, and warnings where a figure cannot be trusted.
 */
import {
  type CellResult,
  type Estimate,
  type MetricName,
  type ResultsFile,
  TAIL_BEYOND,
  TAIL_MIN_SAMPLES,
} from '../results/types.js';

/**
 * What says "was this container hurt": median and tail latency, and what an open loop can
 * reveal, for servers; commit latency and transactions/s for the database. Open-loop
 * throughput is left out: it equals the offered rate by construction.
 */
const HEADLINE_METRICS: MetricName[] = [
  'latencyP50Us',
  'latencyP99Us',
  'goodputFraction',
  'errorFraction',
  'timeoutFraction',
  'lateSendFraction',
  'commitP50Us',
  'commitP99Us',
  'txnPerSec',
];

/** Below this many trials no exact 95% interval of a median (or of a paired ratio) exists. */
const MIN_INTERVAL_TRIALS = 6;

function fmt(metric: MetricName, v: number | null | undefined): string {
  if (v === null || v === undefined) return '-';
  if (metric.endsWith('Fraction')) return `${(v * 100).toFixed(v >= 0.1 ? 1 : 2)}%`;
  if (metric.endsWith('Us')) return v >= 1000 ? `${(v / 1000).toFixed(1)} ms` : `${Math.round(v)} µs`;
  return v.toFixed(1);
}

function ratio(e: Estimate | null): string {
  if (!e || e.median === null) return '-';
  const iv =
    e.low !== null && e.high !== null ? ` [${e.low.toFixed(2)}, ${e.high.toFixed(2)}]` : ' [no interval]';
  return `${e.median.toFixed(2)}x${iv}`;
}

export interface HeadlineRow {
  cell: string;
  container: string;
  metric: MetricName;
  solo: number | null;
  colocated: number | null;
  slowdown: Estimate | null;
  /** Trials behind the row's figures: the fewest of its estimates. */
  n: number;
  /** Why a figure of the row is not to be judged (a thin tail), or null. */
  flag: string | null;
}

function fewestTail(es: (Estimate | null | undefined)[]): number | null {
  let fewest: number | null = null;
  for (const e of es) {
    if (e?.tailSamples === undefined) continue;
    fewest = fewest === null ? e.tailSamples : Math.min(fewest, e.tailSamples);
  }
  return fewest;
}

export function headlineRows(cells: CellResult[]): HeadlineRow[] {
  const rows: HeadlineRow[] = [];
  for (const cell of cells) {
    for (const [name, c] of Object.entries(cell.containers)) {
      for (const metric of HEADLINE_METRICS) {
        const s = c.solo?.metrics[metric] ?? null;
        const k = c.colocated?.metrics[metric] ?? null;
        if (!s && !k) continue;
        const slowdown = c.slowdown?.[metric] ?? null;
        const ns = [s, k, slowdown].flatMap((e) => (e ? [e.n] : []));
        const tail = TAIL_BEYOND[metric] === undefined ? null : fewestTail([s, k, slowdown]);
        rows.push({
          cell: cell.name,
          container: name,
          metric,
          solo: s?.median ?? null,
          colocated: k?.median ?? null,
          slowdown,
          n: Math.min(...ns),
          flag:
            tail !== null && tail < TAIL_MIN_SAMPLES
              ? `thin tail: as few as ${tail} values beyond it in a trial (< ${TAIL_MIN_SAMPLES}); compare leaves it out of verdicts`
              : null,
        });
      }
    }
  }
  return rows;
}

/** Warnings about figures that rest on too few trials to have a 95% interval. */
export function headlineWarnings(r: ResultsFile): string[] {
  const few = headlineRows(r.cells).filter((row) => row.n < MIN_INTERVAL_TRIALS);
  if (few.length === 0) return [];
  const least = Math.min(...few.map((row) => row.n));
  return [
    `warning: ${few.length} figure${few.length === 1 ? '' : 's'} rest on fewer than ${MIN_INTERVAL_TRIALS} trials (as few as ${least}): with so few, no interval is a 95% interval ([min, max] of 5 covers 93.75%, of 3 only 75%); run 10 or more repetitions, or a sequential run (--precision 5%)`,
  ];
}

function sequentialLines(r: ResultsFile): string[] {
  const seq = r.sequential;
  if (!seq) return [];
  const lines = [`sequential: ${seq.stop.text}`];
  seq.looks.forEach((l, i) => {
    const widest = l.widest
      ? `widest ±${l.widest.halfWidth === null ? '∞' : `${(l.widest.halfWidth * 100).toFixed(1)}%`} (${l.widest.figure})`
      : 'no interval';
    const cmp = l.comparisons
      .map(
        (c) => `${c.cand} vs ${c.base}: ${c.regression}R ${c.improvement}I ${c.noChange}N ${c.inconclusive}?`,
      )
      .join(', ');
    lines.push(
      `  look ${i + 1} after ${l.repetitions} blocks: ${cmp ? `${cmp}; ` : ''}${widest}; ${l.decision}`,
    );
  });
  return lines;
}

export function headline(outDir: string, r: ResultsFile): string {
  const ok = r.trials.filter((t) => t.status === 'ok').length;
  const invalid = r.trials.filter((t) => t.status === 'invalid').length;
  const lines = [
    `${r.status === 'complete' ? 'done' : 'interrupted'}: ${ok} of ${r.trials.length} trials ok${invalid > 0 ? ` (${invalid} invalid: a guard was exceeded; each was rerun once)` : ''} -> ${outDir}`,
    ...sequentialLines(r),
  ];
  const rows = headlineRows(r.cells);
  if (rows.length) {
    lines.push(
      '',
      `${'cell'.padEnd(24)} ${'container'.padEnd(10)} ${'metric'.padEnd(17)} ${'solo'.padStart(10)} ${'co-located'.padStart(11)}  ${'slowdown [95% CI]'.padEnd(26)} ${'n'.padStart(3)}`,
    );
    for (const row of rows) {
      lines.push(
        `${row.cell.padEnd(24)} ${row.container.padEnd(10)} ${row.metric.padEnd(17)} ${fmt(row.metric, row.solo).padStart(10)} ${fmt(row.metric, row.colocated).padStart(11)}  ${ratio(row.slowdown).padEnd(26)} ${String(row.n).padStart(3)}${row.flag ? `  ${row.flag}` : ''}`,
      );
    }
    lines.push(
      '',
      'slowdown: co-located over solo within each repetition block, Hodges-Lehmann estimate with a Wilcoxon signed-rank 95% interval; solo and co-located: medians over trials',
    );
  }
  lines.push(...headlineWarnings(r));
  for (const t of r.trials) if (t.status !== 'ok') lines.push(`${t.status}: ${t.id}: ${t.reason}`);
  return `${lines.join('\n')}\n`;
}

export function headlineJson(outDir: string, r: ResultsFile) {
  return {
    resultsDir: outDir,
    status: r.status,
    trials: {
      ok: r.trials.filter((t) => t.status === 'ok').length,
      failed: r.trials.filter((t) => t.status === 'failed').length,
      invalid: r.trials.filter((t) => t.status === 'invalid').length,
    },
    headline: headlineRows(r.cells),
    sequential: r.sequential ? { stop: r.sequential.stop, looks: r.sequential.looks.length } : null,
    warnings: headlineWarnings(r),
  };
}
