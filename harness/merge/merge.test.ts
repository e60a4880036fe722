import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { summarizeCells } from '../analysis/summarize.js';
import { UsageError } from '../errors.js';
import { EXAMPLE_CELLS, EXAMPLE_HOST, EXAMPLE_PHASES, exampleTrials } from '../results/example.js';
import { readResults } from '../results/reader.js';
import {
  RESULTS_SCHEMA_VERSION,
  type ResultsFile,
  type SampleRow,
  type TrialRecord,
} from '../results/types.js';
import { ResultsWriter } from '../results/writer.js';
import { mergeMain } from './main.js';
import { formatIndexRanges, mergeOutcome, mergeResults } from './merge.js';
import { csvRecords } from './samples.js';

const SEED = 42;
const TRIALS = exampleTrials(5); // 2 cells x 3 phases x 5 = 30 trials, one failed

/** The results a run of the plan (or of one shard of it) writes, as the runner builds them. */
function runResults(trials: TrialRecord[], shard: { index: number; count: number } | null): ResultsFile {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: shard ? `run-s${shard.index}` : 'run-all',
    status: 'complete',
    startedAt: `2026-01-01T00:0${shard?.index ?? 0}:00.000Z`,
    finishedAt: `2026-01-01T01:0${shard?.index ?? 0}:00.000Z`,
    command: [
      'isobench',
      'run',
      'scenarios/example.yaml',
      ...(shard ? ['--shard', `${shard.index}/${shard.count}`] : []),
    ],
    host: EXAMPLE_HOST,
    scenario: {
      name: 'example',
      file: 'scenarios/example.yaml',
      text: 'name: example\nrepetitions: 5\n',
      overrides: ['duration=20s'],
      seed: SEED,
      repetitions: 5,
      shard,
      totalTrials: TRIALS.length,
      phases: EXAMPLE_PHASES,
    },
    cells: summarizeCells({
      cells: EXAMPLE_CELLS,
      phases: EXAMPLE_PHASES,
      trials,
    }),
    trials,
    variant: null,
    sequential: null,
  };
}

function shards(count: number): ResultsFile[] {
  return Array.from({ length: count }, (_, k) =>
    runResults(
      TRIALS.filter((t) => t.index % count === k),
      { index: k + 1, count },
    ),
  );
}

describe('mergeResults', () => {
  const full = runResults(TRIALS, null);

  for (const n of [2, 3, 4]) {
    it(`${n} shards, in any order, merge into the unsharded run`, () => {
      const parts = shards(n).reverse();
      const merged = mergeResults(parts);
      expect(merged.trials).toEqual(full.trials);
      expect(merged.cells).toEqual(full.cells);
      expect(merged.scenario).toEqual(full.scenario);
      expect(merged.status).toBe('complete');
      expect(merged.host).toEqual(full.host);
      expect(merged.command).toEqual(full.command);
      expect(merged.startedAt).toBe('2026-01-01T00:01:00.000Z');
      expect(merged.finishedAt).toBe(`2026-01-01T01:0${n}:00.000Z`);
    });
  }

  it('a missing shard: status interrupted, and a warning names the missing trials and shard', () => {
    const warnings: string[] = [];
    const parts = shards(3).filter((p) => p.scenario.shard?.index !== 2);
    const { results, missing } = mergeOutcome(parts, {
      onWarning: (m) => warnings.push(m),
    });
    expect(results.status).toBe('interrupted');
    expect(missing).toEqual(TRIALS.filter((t) => t.index % 3 === 1).map((t) => t.index));
    expect(results.trials).toHaveLength(20);
    expect(warnings.join('\n')).toMatch(
      /lack 10 of 30 planned trials \(plan indices 1, 4, 7, .*shards not given: 2\/3/,
    );
  });

  it('refuses parts of different plans, duplicate shards, foreign trials and unsharded runs', () => {
    const refuses = (parts: ResultsFile[], message: RegExp) => {
      let err: unknown;
      try {
        mergeResults(parts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    };
    const [a, b] = shards(2) as [ResultsFile, ResultsFile];
    refuses(
      [a, { ...b, scenario: { ...b.scenario, text: 'name: example\nrepetitions: 6\n' } }],
      /another plan.*scenario texts differ/,
    );
    refuses([a, { ...b, scenario: { ...b.scenario, seed: 7 } }], /seeds differ \(7 vs 42\)/);
    refuses([a, { ...b, scenario: { ...b.scenario, overrides: [] } }], /overrides differ/);
    refuses([a, a], /both shard 1\/2/);
    refuses(
      [a, { ...b, host: { ...b.host, kernel: '6.9.0' } }],
      /kernels differ \(6\.9\.0 vs 6\.8\.0-45-generic\)/,
    );
    refuses(
      [a, { ...b, trials: [...b.trials, a.trials[0] as TrialRecord] }],
      /does not belong to shard 2\/2/,
    );
    refuses([a, runResults(TRIALS, null)], /unsharded run/);
    refuses([], /no results folders/);
    const [x, y, z] = shards(3) as [ResultsFile, ResultsFile, ResultsFile];
    refuses(
      [x, y, { ...z, scenario: { ...z.scenario, shard: { index: 3, count: 4 } } }],
      /shard counts differ/,
    );
  });

  it('keeps the pairing of variants: shards of one variant merge with the shards’ groups joined', () => {
    const variantShards = (name: string) =>
      shards(2).map((p, i) => ({
        ...p,
        variant: { name, group: `run-s${i + 1}`, variants: ['base', 'cand'] },
      }));
    const base = mergeResults(variantShards('base'));
    const cand = mergeResults(variantShards('cand'));
    expect(base.variant).toEqual({ name: 'base', group: 'run-s1+run-s2', variants: ['base', 'cand'] });
    expect(cand.variant?.group).toBe(base.variant?.group);
    // A shard of another variant is another plan's trials.
    const [a] = variantShards('base') as [ResultsFile];
    const [, b] = variantShards('cand') as [ResultsFile, ResultsFile];
    expect(() => mergeResults([a, b])).toThrow(/variants differ/);
  });

  it('a different host name is a warning, not an error', () => {
    const [a, b] = shards(2) as [ResultsFile, ResultsFile];
    const onWarning = vi.fn();
    mergeResults([a, { ...b, host: { ...b.host, hostname: 'bench-2' } }], {
      onWarning,
    });
    expect(onWarning).toHaveBeenCalledWith(expect.stringMatching(/ran on bench-2.*record bench-1/));
  });

  it('formats index ranges', () => {
    expect(formatIndexRanges([1, 2, 3, 7, 9, 10])).toBe('1-3, 7, 9-10');
    expect(formatIndexRanges([])).toBe('');
  });
});

describe('mergeMain (folders on disk)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isobench-merge-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Two sample rows per container and one host row per trial, with a quoted field. */
  function samplesOf(t: TrialRecord): SampleRow[] {
    const rows: SampleRow[] = t.containers.flatMap((c) =>
      [0, 1000].map((tMs) => ({
        trial: t.id,
        cell: t.cell.id,
        phase: t.phase.name,
        container: c.name,
        tMs,
        stats: { cpuUsageUs: 1000 * (t.index + 1) + tMs, memoryCurrentBytes: 4096 * t.index },
      })),
    );
    rows.push({
      trial: t.id,
      cell: t.cell.id,
      phase: t.phase.name,
      container: 'host',
      tMs: 0,
      stats: { hostBusyUs: t.index },
    });
    return rows;
  }

  /** A results folder as `isobench run` writes it: trials and samples appended per trial. */
  async function writeRun(name: string, r: ResultsFile): Promise<string> {
    const d = join(dir, name);
    const w = await ResultsWriter.open(d);
    for (const t of r.trials) {
      w.appendTrial(t);
      w.appendSamples(samplesOf(t));
    }
    w.finish(r);
    return d;
  }

  // Summarized as the runner does: merged cells must match bit for bit.
  const asRun = (trials: TrialRecord[], shard: { index: number; count: number } | null) => {
    const r = runResults(trials, shard);
    r.cells = summarizeCells({ cells: EXAMPLE_CELLS, phases: EXAMPLE_PHASES, trials });
    return r;
  };

  it('3 shard folders merge into a folder identical to the unsharded run', async () => {
    const whole = await writeRun('whole', asRun(TRIALS, null));
    const parts = await Promise.all(
      [1, 2, 3].map((k) =>
        writeRun(
          `shard${k}`,
          asRun(
            TRIALS.filter((t) => t.index % 3 === k - 1),
            { index: k, count: 3 },
          ),
        ),
      ),
    );
    const out = join(dir, 'merged');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await mergeMain([parts[2] as string, parts[0] as string, parts[1] as string], { out });
    } finally {
      write.mockRestore();
    }
    expect(code).toBe(0);
    for (const f of ['trials.jsonl', 'samples.csv', 'summary.csv']) {
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(whole, f), 'utf8'));
    }
    const merged = readResults(out);
    const expected = readResults(whole);
    const strip = (r: ResultsFile) => ({ ...r, runId: '', startedAt: '', finishedAt: '' });
    expect(strip(merged)).toEqual(strip(expected));
    const rows = TRIALS.reduce((sum, t) => sum + 2 * t.containers.length + 1, 0);
    expect(csvRecords(readFileSync(join(out, 'samples.csv'), 'utf8'))).toHaveLength(1 + rows);
  });

  it('refuses a non-empty --out and folders that are not results', async () => {
    const part = await writeRun(
      'p1',
      asRun(
        TRIALS.filter((t) => t.index % 2 === 0),
        { index: 1, count: 2 },
      ),
    );
    await expect(mergeMain([part], { out: part })).rejects.toThrow(/is one of the folders to merge/);
    await expect(mergeMain([part, join(dir, 'nope')], { out: join(dir, 'o2') })).rejects.toThrow(
      /does not exist/,
    );
    await expect(mergeMain([part], { out: join(dir, 'whole') })).rejects.toThrow(/is not empty/);
    await expect(mergeMain([], { out: join(dir, 'o3') })).rejects.toThrow(/give the shard folders/);
  });
});
