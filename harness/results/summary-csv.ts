/**
 * summary.csv: the cell results of results.json in long form, one figure per row, so that a
 * planner can pivot "p99 vs cpu.weight" in a spreadsheet without reading JSON. Settings get one
 * column each (the union over cells, sorted), since they are what a sweep varies.
 */
import { stringify } from 'csv-stringify/sync';
import type { Estimate, MergedPercentiles, PhaseSummary, ResultsFile } from './types.js';

type Cell = string | number | boolean | null;

const MERGED_FIELDS = [
  'p50Us',
  'p90Us',
  'p99Us',
  'p999Us',
  'maxUs',
] as const satisfies readonly (keyof MergedPercentiles)[];

/** Fixed columns after the cell's id, name and settings. */
export const SUMMARY_COLUMNS = [
  'container',
  'role',
  'phase',
  'metric',
  'median',
  'low',
  'high',
  'n',
  'trials',
  'failed',
] as const;

function estimateCells(e: Estimate): Cell[] {
  return [e.median, e.low, e.high, e.n];
}

/**
 * Rows of one phase summary. `metric` is the TrialMetrics name, `cgroup.<figure>` for cgroup
 * figures, or `merged.<histogram>.<percentile>` for percentiles of the merged histograms (no
 * interval: one value from all trials together; `n` is then the number of recorded values).
 */
function phaseRows(role: 'solo' | 'colocated', s: PhaseSummary): Cell[][] {
  const tail = [s.trials, s.failed];
  const rows: Cell[][] = [];
  for (const [metric, e] of Object.entries(s.metrics)) {
    if (e) rows.push([role, s.phase, metric, ...estimateCells(e), ...tail]);
  }
  for (const [hist, m] of Object.entries(s.merged)) {
    if (!m) continue;
    for (const f of MERGED_FIELDS)
      rows.push([role, s.phase, `merged.${hist}.${f}`, m[f], null, null, m.count, ...tail]);
  }
  for (const [figure, e] of Object.entries(s.cgroup)) {
    if (e) rows.push([role, s.phase, `cgroup.${figure}`, ...estimateCells(e), ...tail]);
  }
  return rows;
}

export function summaryCsvText(results: ResultsFile): string {
  const settingKeys = [...new Set(results.cells.flatMap((c) => Object.keys(c.settings)))].sort();
  const header = ['cell', 'cellName', ...settingKeys.map((k) => `setting:${k}`), ...SUMMARY_COLUMNS];
  const records: Cell[][] = [];
  for (const cell of results.cells) {
    const lead: Cell[] = [cell.id, cell.name, ...settingKeys.map((k) => cell.settings[k] ?? null)];
    for (const [container, r] of Object.entries(cell.containers)) {
      const rows: Cell[][] = [];
      if (r.solo) rows.push(...phaseRows('solo', r.solo));
      if (r.colocated) rows.push(...phaseRows('colocated', r.colocated));
      if (r.slowdown) {
        // The phase column names both sides: colocated phase / solo phase.
        const phase = `${r.colocated?.phase ?? ''}/${r.solo?.phase ?? ''}`;
        for (const [metric, e] of Object.entries(r.slowdown)) {
          if (e) rows.push(['slowdown', phase, metric, ...estimateCells(e), null, null]);
        }
      }
      for (const row of rows) records.push([...lead, container, ...row]);
    }
  }
  return stringify([header, ...records], { cast: { boolean: (b) => String(b) } });
}
