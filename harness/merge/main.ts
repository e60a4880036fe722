/**
 * `isobench merge DIR... --out DIR`: shard folders of one plan joined into one results folder
 * (results.json, trials.jsonl, samples.csv, summary.csv), identical in content to an unsharded
 * run of the plan. Returns 0; bad input (unreadable folders, parts of different plans,
 * overlapping shards, a non-empty --out) is a UsageError, exit 2. Missing trials (a shard not
 * given, or interrupted) are not an error: the merged run says "interrupted" and a warning
 * names the missing plan indices.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { errnoOf, quote, UsageError } from '../errors.js';
import { SAMPLE_COLUMNS } from '../results/columns.js';
import { resultsPaths } from '../results/paths.js';
import { readResults } from '../results/reader.js';
import { ResultsWriter, writeFileAtomic, writeResultsJson } from '../results/writer.js';
import { mergeOutcome } from './merge.js';
import { mergeSamples } from './samples.js';

export interface MergeMainOptions {
  out: string;
  /** Where warnings go (stderr by default). */
  onWarning?: (message: string) => void;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      errnoOf(err) === 'ENOENT' ? 'ISOBENCH_RESULTS_MISSING' : 'ISOBENCH_RESULTS_UNREADABLE',
      `cannot read ${quote(path)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/**
 * Lines of trials.jsonl by trial id, as written. Moved as text because results.json's trials
 * come back through the schema with their keys in schema order, and the merged trials.jsonl
 * should be the unsharded run's byte for byte. A line that does not parse (a crash mid-write)
 * is left out; results.json, which readResults validated, has the trials that count.
 */
function trialLinesOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const t = JSON.parse(line) as { id?: unknown; measure?: { attempt?: unknown } };
      // An invalid trial and its rerun share the id: the attempt tells them apart.
      if (typeof t.id === 'string') out.set(`${t.id}#${t.measure?.attempt ?? 1}`, `${line}\n`);
    } catch {
      // the truncated last line of an interrupted shard
    }
  }
  return out;
}

export async function mergeMain(dirs: string[], opts: MergeMainOptions): Promise<number> {
  const warn = opts.onWarning ?? ((m: string) => process.stderr.write(`isobench: warning: ${m}\n`));
  if (dirs.length === 0)
    throw new UsageError('ISOBENCH_MERGE_USAGE', 'isobench merge: give the shard folders to merge');
  if (!opts.out) throw new UsageError('ISOBENCH_MERGE_USAGE', 'isobench merge: --out DIR is required');
  const out = resolve(opts.out);
  for (const d of dirs) {
    if (resolve(d) === out)
      throw new UsageError('ISOBENCH_MERGE_USAGE', `--out ${quote(opts.out)} is one of the folders to merge`);
  }
  const parts = dirs.map((d) => readResults(d));
  const samples = dirs.map((d) => ({
    name: resultsPaths(d).samplesCsv,
    text: readText(resultsPaths(d).samplesCsv),
  }));
  const trialLines = new Map<string, string>();
  for (const d of dirs) {
    for (const [id, line] of trialLinesOf(readText(resultsPaths(d).trialsJsonl))) trialLines.set(id, line);
  }
  const { results, missing } = mergeOutcome(parts, { names: dirs, onWarning: warn });
  const header = stringify([[...SAMPLE_COLUMNS]]);
  const merged = mergeSamples(
    header,
    samples,
    results.trials.map((t) => t.id),
  );
  if (merged.badHeader.length > 0) {
    throw new UsageError(
      'ISOBENCH_MERGE_MISMATCH',
      `cannot merge: ${merged.badHeader.map(quote).join(', ')} ${merged.badHeader.length === 1 ? 'does' : 'do'} not start with this isobench's samples.csv header`,
    );
  }
  if (merged.unknown.length > 0) {
    warn(
      `samples.csv rows of trials not in any results.json were kept at the end: ${merged.unknown.slice(0, 5).join(', ')}`,
    );
  }
  // The writer's checks (a fresh or empty folder, files created with 'wx'); the append-only
  // files are then replaced whole with the shards' lines, moved as text.
  (await ResultsWriter.open(opts.out)).close();
  const paths = resultsPaths(opts.out);
  writeFileAtomic(
    paths.trialsJsonl,
    results.trials
      .map((t) => trialLines.get(`${t.id}#${t.measure?.attempt ?? 1}`) ?? `${JSON.stringify(t)}\n`)
      .join(''),
  );
  writeFileAtomic(paths.samplesCsv, merged.text);
  writeResultsJson(opts.out, results);
  process.stdout.write(
    `merged ${dirs.length} folder${dirs.length === 1 ? '' : 's'}: ${results.trials.length} of ${results.scenario.totalTrials} trials${missing.length > 0 ? ` (${missing.length} missing, status interrupted)` : ''} -> ${opts.out}\n`,
  );
  return 0;
}
