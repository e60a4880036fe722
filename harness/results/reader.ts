/**
 * Reads a results folder back for report, compare and merge. Every fault is a UsageError
 * (exit 2) that names the file, and the line or field, and says what is wrong: the user points
 * isobench at a folder, so a bad folder is a usage problem, not a crash.
 */
import { readFileSync } from 'node:fs';
import { errnoOf, quote, UsageError } from '../errors.js';
import { resultsPaths } from './paths.js';
import { resultsSchema, trialRecordSchema } from './schema.js';
import {
  READABLE_SCHEMA_VERSIONS,
  RESULTS_SCHEMA_VERSION,
  type ResultsFile,
  type TrialRecord,
} from './types.js';
import { formatIssues } from './validate.js';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = errnoOf(err);
    if (code === 'ENOENT') {
      throw new UsageError(
        'ISOBENCH_RESULTS_MISSING',
        `${quote(path)} does not exist: not a results folder (${what})`,
      );
    }
    throw new UsageError(
      'ISOBENCH_RESULTS_UNREADABLE',
      `cannot read ${quote(path)}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

export function readResults(dir: string): ResultsFile {
  const path = resultsPaths(dir).resultsJson;
  const text = readText(path, 'isobench run writes results.json when it ends or is interrupted');
  const data = parseResultsText(path, text);
  // The version first: a newer file fails validation in many places at once, and the real
  // fault is that this isobench is too old to read it.
  const version =
    typeof data === 'object' && data !== null
      ? (data as { schemaVersion?: unknown }).schemaVersion
      : undefined;
  if (!(READABLE_SCHEMA_VERSIONS as readonly unknown[]).includes(version)) {
    throw new UsageError(
      'ISOBENCH_RESULTS_VERSION',
      `${quote(path)}: expected schemaVersion ${READABLE_SCHEMA_VERSIONS.join(' or ')}, got ${version === undefined ? 'none' : quote(version)}${typeof version === 'number' && version > RESULTS_SCHEMA_VERSION ? ' (written by a newer isobench)' : ''}`,
    );
  }
  return checkResults(path, data);
}

/** The JSON text of results.json or run.json (read from `path`); ISOBENCH_RESULTS_CORRUPT if it does not parse. */
export function parseResultsText(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      'ISOBENCH_RESULTS_CORRUPT',
      `${quote(path)} is not valid JSON: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** `data` (parsed from `path`) as a results file; ISOBENCH_RESULTS_CORRUPT naming the fields that do not match. */
export function checkResults(path: string, data: unknown): ResultsFile {
  const parsed = resultsSchema.safeParse(data);
  if (!parsed.success) {
    throw new UsageError(
      'ISOBENCH_RESULTS_CORRUPT',
      `${quote(path)} does not match the results schema: ${formatIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data;
}

export interface ReadTrialsOptions {
  /** Where a truncated last line is reported; stderr by default. */
  onWarning?: (message: string) => void;
}

/**
 * Reads trials.jsonl. A last line without its newline that does not parse is what a crash
 * mid-write leaves: it is dropped with a warning (that trial was in flight). Any other bad line
 * means the file was edited or corrupted, and is an error naming the line.
 */
export function readTrials(dir: string, opts: ReadTrialsOptions = {}): TrialRecord[] {
  const warn = opts.onWarning ?? ((m: string) => process.stderr.write(`isobench: warning: ${m}\n`));
  const path = resultsPaths(dir).trialsJsonl;
  const text = readText(path, 'isobench run appends trials.jsonl as trials end');
  const lines = text.split('\n');
  const unterminated = !text.endsWith('\n');
  const out: TrialRecord[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path}:${i + 1}`;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (err) {
      if (unterminated && i === lines.length - 1) {
        warn(`${where}: ignoring a truncated last line (a trial in flight when the run stopped)`);
        return;
      }
      throw new UsageError('ISOBENCH_TRIALS_CORRUPT', `${where}: not valid JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const parsed = trialRecordSchema.safeParse(data);
    if (!parsed.success) {
      throw new UsageError(
        'ISOBENCH_TRIALS_CORRUPT',
        `${where}: not a trial record: ${formatIssues(parsed.error.issues)}`,
      );
    }
    out.push(parsed.data);
  });
  return out;
}
