import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exampleResults } from './example.js';
import { readResults } from './reader.js';
import { rebuildResultsIfMissing } from './rebuild.js';
import { ResultsWriter } from './writer.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'isobench-rebuild-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A folder as a run SIGKILLed mid-trial leaves it: header, finished trials, half a line, no results.json. */
async function killedRun(done: number): Promise<{ dir: string; total: number }> {
  const dir = join(root, 'killed');
  const full = exampleResults(2);
  const writer = await ResultsWriter.open(dir);
  writer.writeHeader({ ...full, status: 'interrupted', trials: [] });
  for (const t of full.trials.slice(0, done)) writer.appendTrial(t);
  appendFileSync(join(dir, 'trials.jsonl'), JSON.stringify(full.trials[done]).slice(0, 40));
  return { dir, total: full.trials.length };
}

describe('rebuildResultsIfMissing', () => {
  it('rebuilds results.json of a killed run from run.json and trials.jsonl, status interrupted', async () => {
    const { dir, total } = await killedRun(3);
    expect(total).toBeGreaterThan(3);
    const warnings: string[] = [];
    expect(rebuildResultsIfMissing(dir, { onWarning: (m) => warnings.push(m) })).toBe(true);
    expect(warnings).toHaveLength(1); // the trial in flight's truncated line
    const results = readResults(dir);
    expect(results.status).toBe('interrupted');
    expect(results.trials).toHaveLength(3);
    const summarized = results.cells.flatMap((c) => Object.values(c.containers));
    expect(summarized.length).toBeGreaterThan(0);
    expect(readdirSync(dir)).toContain('summary.csv');
    // Once there, results.json is left alone.
    expect(rebuildResultsIfMissing(dir)).toBe(false);
  });

  it('a folder without run.json is refused with exit 2 and a reason', async () => {
    expect(() => rebuildResultsIfMissing(root)).toThrow(/neither results.json nor run.json/);
    try {
      rebuildResultsIfMissing(root);
    } catch (err) {
      expect((err as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('a run.json that is not JSON, or not a results header, is ISOBENCH_RESULTS_CORRUPT naming the file', async () => {
    const { dir } = await killedRun(1);
    const runJson = join(dir, 'run.json');
    writeFileSync(runJson, '{"schemaVersion": 2,');
    const notJson = thrown(() => rebuildResultsIfMissing(dir));
    expect(notJson).toMatchObject({ code: 'ISOBENCH_RESULTS_CORRUPT', exitCode: 2 });
    expect(notJson.message).toContain(`${JSON.stringify(runJson)} is not valid JSON`);
    expect(notJson.cause).toBeInstanceOf(SyntaxError);
    writeFileSync(runJson, JSON.stringify({ schemaVersion: 2 }));
    const notHeader = thrown(() => rebuildResultsIfMissing(dir));
    expect(notHeader).toMatchObject({ code: 'ISOBENCH_RESULTS_CORRUPT', exitCode: 2 });
    expect(notHeader.message).toContain('does not match the results schema');
    expect(readdirSync(dir)).not.toContain('results.json');
  });
});

function thrown(f: () => unknown): Error & { code: string; exitCode: number } {
  try {
    f();
  } catch (err) {
    return err as Error & { code: string; exitCode: number };
  }
  throw new Error('expected an error');
}
