import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleResults, exampleTrials } from './example.js';
import { readResults, readTrials } from './reader.js';
import { ResultsWriter } from './writer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'isobench-reader-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const trials = exampleTrials(1);
const jsonl = (records: unknown[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

function thrown(fn: () => unknown): { code?: string; exitCode?: number; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: string; exitCode?: number; message: string };
  }
  throw new Error('expected a throw');
}

describe('readTrials', () => {
  it('ignores a truncated last line (crash mid-write) with a warning', () => {
    const line = JSON.stringify(trials[1]);
    writeFileSync(join(dir, 'trials.jsonl'), jsonl([trials[0]]) + line.slice(0, 100));
    const warnings: string[] = [];
    const read = readTrials(dir, { onWarning: (m) => warnings.push(m) });
    expect(read).toEqual([trials[0]]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('trials.jsonl:2');
    expect(warnings[0]).toContain('truncated');
  });

  it('refuses a corrupt line that is not the last, naming the line', () => {
    writeFileSync(join(dir, 'trials.jsonl'), `${jsonl([trials[0]])}{"id": oops\n${jsonl([trials[1]])}`);
    const err = thrown(() => readTrials(dir));
    expect(err).toMatchObject({ code: 'ISOBENCH_TRIALS_CORRUPT', exitCode: 2 });
    expect(err.message).toContain('trials.jsonl:2');
  });

  it('refuses a complete last line that is corrupt (edited, not truncated)', () => {
    writeFileSync(join(dir, 'trials.jsonl'), `${jsonl([trials[0]])}not json\n`);
    expect(thrown(() => readTrials(dir)).code).toBe('ISOBENCH_TRIALS_CORRUPT');
  });

  it('refuses a line that parses but is not a trial record, quoting the field', () => {
    const bad = { ...trials[0], repetition: 'one' };
    writeFileSync(join(dir, 'trials.jsonl'), jsonl([bad]));
    const err = thrown(() => readTrials(dir));
    expect(err.message).toContain('trials.jsonl:1');
    expect(err.message).toContain('repetition');
  });

  it('says when there is no trials.jsonl', () => {
    const err = thrown(() => readTrials(join(dir, 'nope')));
    expect(err).toMatchObject({ code: 'ISOBENCH_RESULTS_MISSING', exitCode: 2 });
    expect(err.message).toContain(JSON.stringify(join(dir, 'nope', 'trials.jsonl')));
  });

  it('reads what the writer appended before a simulated crash', async () => {
    const out = join(dir, 'run');
    const w = await ResultsWriter.open(out);
    w.appendTrial(trials[0] as (typeof trials)[number]);
    appendFileSync(join(out, 'trials.jsonl'), JSON.stringify(trials[1]).slice(0, 40));
    expect(readTrials(out, { onWarning: () => {} })).toEqual([trials[0]]);
    w.close();
  });
});

describe('readResults', () => {
  const write = (text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'results.json'), text);
  };

  it('says when results.json is missing, quoting the path', () => {
    const err = thrown(() => readResults(dir));
    expect(err).toMatchObject({ code: 'ISOBENCH_RESULTS_MISSING', exitCode: 2 });
    expect(err.message).toContain(JSON.stringify(join(dir, 'results.json')));
  });

  it('says when results.json is not JSON', () => {
    write('{"schemaVersion": 1,');
    expect(thrown(() => readResults(dir))).toMatchObject({ code: 'ISOBENCH_RESULTS_CORRUPT', exitCode: 2 });
  });

  it('checks schemaVersion before anything else', () => {
    write(JSON.stringify({ schemaVersion: 9 }));
    const err = thrown(() => readResults(dir));
    expect(err.code).toBe('ISOBENCH_RESULTS_VERSION');
    expect(err.message).toContain(
      'expected schemaVersion 1 or 2, got 9 (number) (written by a newer isobench)',
    );
    write(JSON.stringify({ cells: [] }));
    expect(thrown(() => readResults(dir)).message).toContain('got none');
  });

  it('reads a version 1 file (before paired variants and sequential runs) as a fixed design', () => {
    const v1 = structuredClone(exampleResults(1)) as unknown as Record<string, unknown>;
    v1.schemaVersion = 1;
    delete v1.variant;
    delete v1.sequential;
    write(JSON.stringify(v1));
    const r = readResults(dir);
    expect(r.schemaVersion).toBe(1);
    expect(r.variant ?? null).toBeNull();
    expect(r.sequential ?? null).toBeNull();
  });

  it('names the field that does not match the schema', () => {
    const results = exampleResults(1);
    const bad = structuredClone(results) as unknown as { host: { memoryBytes: unknown } };
    bad.host.memoryBytes = 'lots';
    write(JSON.stringify(bad));
    const err = thrown(() => readResults(dir));
    expect(err.code).toBe('ISOBENCH_RESULTS_CORRUPT');
    expect(err.message).toContain('host.memoryBytes');
  });
});
