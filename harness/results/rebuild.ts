/**
 * results.json of a run that was killed before it could write it (SIGKILL, an OOM kill, a CI
 * timeout; issue 16): rebuilt from run.json, the header `isobench run` writes before its first
 * trial (everything but the trials), and trials.jsonl, which holds every finished trial. The
 * rebuilt file says `status: interrupted`; a truncated last line of trials.jsonl (the trial in
 * flight) is dropped with a warning by readTrials.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { summarizeCells } from '../analysis/summarize.js';
import { errnoOf, quote, UsageError } from '../errors.js';
import { resultsPaths } from './paths.js';
import { checkResults, parseResultsText, readTrials } from './reader.js';
import type { ResultsFile } from './types.js';
import { writeResultsJson } from './writer.js';

function readHeader(dir: string): ResultsFile {
  const path = resultsPaths(dir).runJson;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      'ISOBENCH_RESULTS_MISSING',
      errnoOf(err) === 'ENOENT'
        ? `${quote(dir)} has neither results.json nor run.json: not a results folder, or its run was killed before its first trial started (nothing to report)`
        : `cannot read ${quote(path)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return checkResults(path, parseResultsText(path, text));
}

/**
 * Writes results.json (and summary.csv) of `dir` from run.json and trials.jsonl when results.json
 * is missing; returns true when it did. A folder that has results.json is left as it is.
 */
export function rebuildResultsIfMissing(
  dir: string,
  opts: { onWarning?: (message: string) => void } = {},
): boolean {
  const paths = resultsPaths(dir);
  if (existsSync(paths.resultsJson)) return false;
  const header = readHeader(dir);
  const trials = readTrials(dir, opts.onWarning ? { onWarning: opts.onWarning } : {});
  const cells = header.cells.map(({ id, name, settings }) => ({ id, name, settings }));
  const results: ResultsFile = {
    ...header,
    status: 'interrupted',
    // The last sign of life the folder keeps: when the last trial was appended.
    finishedAt: statSync(paths.trialsJsonl).mtime.toISOString(),
    cells: summarizeCells({ cells, phases: header.scenario.phases, trials }),
    trials,
  };
  writeResultsJson(dir, results);
  return true;
}
