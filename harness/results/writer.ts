/**
 * Writes a results folder as the run goes. trials.jsonl and samples.csv are append-only and
 * fsync'd when a trial is recorded, so a crash or a power cut loses at most the trial in
 * flight; results.json and summary.csv are rewritten whole through a temporary file and a
 * rename, so a reader never sees half of one. Synchronous fs on purpose: a trial ends every few
 * seconds at most, and a SIGINT handler can call finish() without awaiting anything.
 */
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { errnoOf, IsobenchError, quote, UsageError } from '../errors.js';
import { makeDirs } from '../mkdirs.js';
import { SAMPLE_COLUMNS, sampleRecord } from './columns.js';
import { resultsPaths } from './paths.js';
import { resultsSchema } from './schema.js';
import { summaryCsvText } from './summary-csv.js';
import type { ResultsFile, SampleRow, TrialRecord } from './types.js';
import { formatIssues } from './validate.js';

/** Writes `text` to `path` atomically: a tmp file beside it, fsync, rename, fsync the folder. */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true }); // a full disk keeps no half file: the old one, if any, stays whole
    throw writeError(path, err);
  }
  fsyncDir(dirname(path));
}

/**
 * A write that the disk refused (ENOSPC on a full disk, EROFS, EIO): one line naming the file
 * and the reason instead of a stack trace (a results disk filled up mid-run: npm run torture).
 * Exit 125, isobench could not finish; what was written before stays (trials.jsonl is fsync'd).
 */
export function writeError(path: string, err: unknown): IsobenchError {
  if (err instanceof IsobenchError) return err;
  return new IsobenchError(
    'ISOBENCH_RESULTS_WRITE',
    `cannot write ${quote(path)}: ${errnoOf(err) ?? ''} ${err instanceof Error ? err.message.replace(/^\w+: /, '') : String(err)} (the trials finished before are kept in trials.jsonl)`,
    { cause: err, exitCode: 125 },
  );
}

/** The rename itself is durable only once the directory entry is on disk. */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems (and non-Linux hosts) refuse fsync on a directory; the rename still happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * Validates `results` against the published schema, then writes results.json and summary.csv.
 * Validation first: a results.json that `isobench report` would refuse is a harness bug, and
 * trials.jsonl still holds the raw data when this throws.
 */
export function writeResultsJson(dir: string, results: ResultsFile): void {
  checkResults(dir, results);
  const paths = resultsPaths(dir);
  writeFileAtomic(paths.resultsJson, `${JSON.stringify(results, null, 2)}\n`);
  writeFileAtomic(paths.summaryCsv, summaryCsvText(results));
}

function checkResults(dir: string, results: ResultsFile): void {
  const parsed = resultsSchema.safeParse(results);
  if (!parsed.success) {
    throw new IsobenchError(
      'ISOBENCH_RESULTS_INVALID',
      `results for ${quote(dir)} do not match the results schema: ${formatIssues(parsed.error.issues)}`,
    );
  }
}

export class ResultsWriter {
  readonly dir: string;
  private trialsFd: number | null;
  private samplesFd: number | null;

  private constructor(dir: string, trialsFd: number, samplesFd: number) {
    this.dir = dir;
    this.trialsFd = trialsFd;
    this.samplesFd = samplesFd;
  }

  /**
   * Creates `dir` (and parents) and the append-only files. Refuses a folder that already holds
   * anything: appending a second run to a first one's trials.jsonl would mix two runs silently.
   */
  static async open(dir: string): Promise<ResultsWriter> {
    try {
      if (statSync(dir).isDirectory()) {
        const entries = readdirSync(dir);
        if (entries.length > 0) {
          throw new UsageError(
            'ISOBENCH_RESULTS_DIR_NOT_EMPTY',
            `results folder ${quote(dir)} is not empty (holds ${quote(entries.slice(0, 3).join(', '))}${entries.length > 3 ? ' ...' : ''}): pass another --out, or remove it`,
          );
        }
      } else {
        throw new UsageError(
          'ISOBENCH_RESULTS_DIR_NOT_DIR',
          `results folder ${quote(dir)} is not a directory`,
        );
      }
    } catch (err) {
      if (err instanceof IsobenchError) throw err;
      if (errnoOf(err) !== 'ENOENT') throw resultsDirError(dir, err);
    }
    try {
      makeDirs(dir);
      const paths = resultsPaths(dir);
      // 'wx': fail rather than truncate if another run created the file since the check above.
      const trialsFd = openSync(paths.trialsJsonl, 'wx');
      const samplesFd = openSync(paths.samplesCsv, 'wx');
      writeAll(samplesFd, stringify([[...SAMPLE_COLUMNS]]));
      return new ResultsWriter(dir, trialsFd, samplesFd);
    } catch (err) {
      throw resultsDirError(dir, err);
    }
  }

  /** Appends one trial as a JSON line; on return it is on disk. */
  appendTrial(rec: TrialRecord): void {
    const fd = this.fd('trialsFd');
    // One write call per line: a crash leaves at most a truncated last line, which readTrials drops.
    try {
      writeAll(fd, `${JSON.stringify(rec)}\n`);
      fsyncSync(fd);
    } catch (err) {
      throw writeError(resultsPaths(this.dir).trialsJsonl, err);
    }
  }

  /** Appends rows to samples.csv, on disk on return (the runner calls this once per trial). */
  appendSamples(rows: readonly SampleRow[]): void {
    if (rows.length === 0) return;
    const fd = this.fd('samplesFd');
    try {
      writeAll(fd, stringify(rows.map(sampleRecord)));
      fsyncSync(fd);
    } catch (err) {
      throw writeError(resultsPaths(this.dir).samplesCsv, err);
    }
  }

  /**
   * Writes results.json and summary.csv for the trials so far. May be called more than once
   * (after each repetition, say); each call replaces the previous files atomically.
   */
  writeSummaries(results: ResultsFile): void {
    writeResultsJson(this.dir, results);
  }

  /**
   * Writes run.json, the run's header (results with no trial done), before the first trial: what
   * `isobench report` rebuilds results.json from when the run is killed (rebuild.ts).
   */
  writeHeader(results: ResultsFile): void {
    checkResults(this.dir, results);
    writeFileAtomic(resultsPaths(this.dir).runJson, `${JSON.stringify(results, null, 2)}\n`);
  }

  /** Writes the summaries and closes the append-only files. */
  finish(results: ResultsFile): void {
    this.writeSummaries(results);
    this.close();
  }

  /** Closes the files without writing summaries (idempotent). */
  close(): void {
    for (const key of ['trialsFd', 'samplesFd'] as const) {
      const fd = this[key];
      if (fd === null) continue;
      this[key] = null;
      fsyncSync(fd);
      closeSync(fd);
    }
  }

  private fd(key: 'trialsFd' | 'samplesFd'): number {
    const fd = this[key];
    if (fd === null) throw new Error(`ResultsWriter for ${this.dir} is closed`);
    return fd;
  }
}

function resultsDirError(dir: string, err: unknown): IsobenchError {
  const code = errnoOf(err);
  // The path the kernel refused: `dir` itself, a parent of it, or a file in it.
  const at = (err as { path?: unknown } | null)?.path;
  const where = typeof at === 'string' ? at : dir;
  const why =
    code === 'EROFS'
      ? `${quote(dirname(where))} is on a read-only file system, so ${quote(where)} cannot be created there (EROFS); pass an --out on a writable file system`
      : code === 'EACCES' || code === 'EPERM'
        ? `no permission to create ${quote(where)} in ${quote(dirname(where))} (${code}); pass an --out where uid ${process.geteuid?.()} may write`
        : err instanceof Error
          ? err.message
          : String(err);
  return new UsageError('ISOBENCH_RESULTS_DIR', `cannot create results folder ${quote(dir)}: ${why}`, {
    cause: err,
  });
}
