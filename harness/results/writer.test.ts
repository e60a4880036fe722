import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IsobenchError } from '../errors.js';
import { itWhen, missingRoot } from '../testing/support.js';
import { SAMPLE_COLUMNS } from './columns.js';
import { exampleResults } from './example.js';
import { resultsDirName } from './paths.js';
import { readResults, readTrials } from './reader.js';
import type { SampleRow } from './types.js';
import { ResultsWriter } from './writer.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'isobench-writer-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const csvLines = (path: string) => readFileSync(path, 'utf8').trimEnd().split('\n');

/** Rows as objects; the files under test hold no quoted cells (checked), so a split is enough. */
function parse(path: string): Record<string, string>[] {
  const [header = '', ...lines] = csvLines(path);
  expect(lines.join('\n')).not.toContain('"');
  const keys = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i] ?? `#${i}`, v])));
}

describe('ResultsWriter', () => {
  it('writes trials.jsonl, samples.csv, results.json and summary.csv that read back', async () => {
    const dir = join(root, 'a', 'b');
    const results = exampleResults();
    const w = await ResultsWriter.open(dir);
    for (const t of results.trials) w.appendTrial(t);
    const rows: SampleRow[] = [
      {
        trial: 't1',
        cell: 'c1',
        phase: 'colocated',
        container: 'web',
        tMs: -500,
        stats: {
          cpuUsageUs: 1234,
          memoryCurrentBytes: null,
          psi: { cpu: { someTotalUs: 77, fullTotalUs: null }, memory: null, io: null },
        },
      },
      {
        trial: 't1',
        cell: 'c1',
        phase: 'colocated',
        container: 'host',
        tMs: 0,
        stats: { hostBusyUs: 9, psiIoSomeUs: 5, pgmajfault: 3, pswpin: 0, notAColumn: 1 },
      },
    ];
    w.appendSamples(rows);
    w.finish(results);

    expect(readTrials(dir)).toEqual(results.trials);
    expect(readResults(dir)).toEqual(results);

    const samples = csvLines(join(dir, 'samples.csv'));
    expect(samples[0]).toBe(SAMPLE_COLUMNS.join(','));
    expect(samples).toHaveLength(3);
    const records = parse(join(dir, 'samples.csv'));
    expect(records[0]).toMatchObject({
      tMs: '-500',
      cpuUsageUs: '1234',
      memoryCurrentBytes: '',
      psiCpuSomeUs: '77',
      psiCpuFullUs: '',
    });
    expect(records[1]).toMatchObject({
      container: 'host',
      hostBusyUs: '9',
      psiIoSomeUs: '5',
      pgmajfault: '3',
      pswpin: '0',
      cpuUsageUs: '',
    });
    expect(Object.keys(records[1] ?? {})).not.toContain('notAColumn');
  });

  it('writes summary.csv with one row per figure plus slowdown rows', async () => {
    const dir = join(root, 'out');
    const results = exampleResults();
    const w = await ResultsWriter.open(dir);
    w.finish(results);
    const rows = parse(join(dir, 'summary.csv'));
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'cell',
      'cellName',
      'setting:web.cpu.weight',
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
    ]);
    const p99 = rows.find(
      (r) =>
        r.cell === 'c1' && r.container === 'web' && r.role === 'colocated' && r.metric === 'latencyP99Us',
    );
    expect(p99).toMatchObject({
      phase: 'colocated',
      n: '3',
      trials: '3',
      failed: '0',
      'setting:web.cpu.weight': '100',
    });
    const slow = rows.find(
      (r) => r.cell === 'c1' && r.container === 'web' && r.role === 'slowdown' && r.metric === 'latencyP99Us',
    );
    expect(Number(slow?.median)).toBeGreaterThan(2.5);
    expect(slow?.phase).toBe('colocated/web-solo');
    const failedRow = rows.find((r) => r.cell === 'c2' && r.container === 'db' && r.role === 'colocated');
    expect(failedRow).toMatchObject({ trials: '3', failed: '1' });
    expect(rows.some((r) => r.metric === 'merged.latencyUs.p999Us')).toBe(true);
    expect(rows.some((r) => r.metric === 'cgroup.psiIoSomeUs')).toBe(true);
  });

  it('replaces results.json atomically on each writeSummaries, leaving no temp file', async () => {
    const dir = join(root, 'out');
    const results = exampleResults(2);
    const w = await ResultsWriter.open(dir);
    w.writeSummaries({ ...results, status: 'interrupted' });
    expect(readResults(dir).status).toBe('interrupted');
    w.finish(results);
    expect(readResults(dir).status).toBe('complete');
    expect(readFileSync(join(dir, 'results.json'), 'utf8')).toContain('"schemaVersion": 2');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).sort()).toEqual(['results.json', 'samples.csv', 'summary.csv', 'trials.jsonl']);
  });

  it('refuses a results folder that is not empty, quoting it', async () => {
    const dir = join(root, 'used');
    mkdirSync(dir);
    writeFileSync(join(dir, 'trials.jsonl'), '');
    const err = await ResultsWriter.open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IsobenchError);
    expect(err).toMatchObject({ code: 'ISOBENCH_RESULTS_DIR_NOT_EMPTY', exitCode: 2 });
    expect((err as Error).message).toContain(JSON.stringify(dir));
  });

  it('accepts an existing empty folder', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    const w = await ResultsWriter.open(dir);
    w.close();
    w.close();
    expect(readTrials(dir)).toEqual([]);
  });

  // Node's recursive mkdir said "ENOENT: no such file or directory" here (harness/mkdirs.ts).
  itWhen(missingRoot())(
    'a folder under a read-only mount: ISOBENCH_RESULTS_DIR says read-only (EROFS) and where',
    async () => {
      const ro = join(root, 'ro');
      mkdirSync(ro);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'isobench-writer-test', ro]);
      try {
        const dir = join(ro, 'runs', 'out');
        const err = await ResultsWriter.open(dir).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: 'ISOBENCH_RESULTS_DIR', exitCode: 2 });
        const message = (err as Error).message;
        expect(message).toContain(`cannot create results folder ${JSON.stringify(dir)}`);
        expect(message).toContain(
          `${JSON.stringify(ro)} is on a read-only file system, so ${JSON.stringify(join(ro, 'runs'))} cannot be created there (EROFS)`,
        );
        expect(message).not.toContain('ENOENT');
        expect((err as { cause: { code: string } }).cause.code).toBe('EROFS');
      } finally {
        execFileSync('umount', [ro]);
      }
    },
  );

  it('refuses results that do not match the schema before writing them', async () => {
    const dir = join(root, 'out');
    const w = await ResultsWriter.open(dir);
    const bad = { ...exampleResults(2), runId: 7 } as unknown as ReturnType<typeof exampleResults>;
    expect(() => w.finish(bad)).toThrow(/runId/);
    expect(() => readResults(dir)).toThrow(/does not exist/);
  });
});

describe('resultsDirName', () => {
  it('is date, time and a sanitized name', () => {
    const d = new Date(2026, 10, 29, 7, 8, 9);
    expect(resultsDirName(d, 'web-vs-db')).toBe('2026-11-29-070809-web-vs-db');
    expect(resultsDirName(d, ' Web vs DB / cpu.weight_sweep! ')).toBe(
      '2026-11-29-070809-web-vs-db-cpu-weight-sweep',
    );
    expect(resultsDirName(d, '***')).toBe('2026-11-29-070809-run');
  });
});
