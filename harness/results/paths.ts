/** File names inside a results folder, and the folder's default name. */
import { join } from 'node:path';

export const RESULTS_JSON = 'results.json';
export const TRIALS_JSONL = 'trials.jsonl';
export const SAMPLES_CSV = 'samples.csv';
export const SUMMARY_CSV = 'summary.csv';
/** The run's header (results.json with no trial done), written before the first trial: rebuild.ts. */
export const RUN_JSON = 'run.json';

export function resultsPaths(dir: string) {
  return {
    resultsJson: join(dir, RESULTS_JSON),
    trialsJsonl: join(dir, TRIALS_JSONL),
    samplesCsv: join(dir, SAMPLES_CSV),
    summaryCsv: join(dir, SUMMARY_CSV),
    runJson: join(dir, RUN_JSON),
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `YYYY-MM-DD-HHMMSS-<name>` in local time (what the user sees on their clock); the time is
 * there so that two runs of one scenario on one day do not collide. The name is reduced to
 * [a-z0-9-] so the folder is safe in shells, URLs and CI artifact names.
 */
export function resultsDirName(date: Date, scenarioName: string): string {
  const stamp = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
  const name =
    scenarioName
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 64)
      .replace(/-$/, '') || 'run';
  return `${stamp}-${name}`;
}
