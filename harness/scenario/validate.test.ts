import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './parse.js';
import { miniScenario, scenarioErrorLines } from './testutil.js';
import { validateMain, validateScenarioFile } from './validate.js';

function sink(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  return { stream, text: () => out };
}

const dir = mkdtempSync(join(tmpdir(), 'isobench-validate-'));
const good = join(dir, 'good.yaml');
writeFileSync(
  good,
  miniScenario('cells:\n  - name: a\n  - name: b\n    set: { containers.db.limits.cpu.weight: 50 }\n'),
);
const bad = join(dir, 'bad.yaml');
writeFileSync(bad, miniScenario('repetitions: 2\n'));

async function run(file: string, opts = {}) {
  const out = sink();
  const err = sink();
  const code = await validateMain(file, { ...opts, stdout: out.stream, stderr: err.stream });
  return { code, stdout: out.text(), stderr: err.text() };
}

describe('validateMain', () => {
  it('prints OK with the plan summary and returns 0', async () => {
    expect(await run(good)).toEqual({
      code: 0,
      stdout: `OK: ${good}: 2 cells x 3 phases x 3 repetitions = 18 trials, about 4 min\n`,
      stderr: '',
    });
  });

  it('applies overrides and shards', async () => {
    const r = await run(good, { set: ['repetitions=10'], duration: '1m', shard: '1/2' });
    expect(r.stdout).toBe(
      `OK: ${good}: 2 cells x 3 phases x 10 repetitions = 60 trials (shard 1/2: 30 trials), about 32 min\n`,
    );
  });

  it('prints every error line to stderr and returns 2', async () => {
    const r = await run(bad, { set: ['containers.web.load.rate=-1'] });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // A duplicate key stops parsing before overrides are looked at: the document is not trustworthy.
    expect(r.stderr).toBe(
      `isobench: ISOBENCH_SCENARIO_INVALID: ${bad}:11:1 repetitions: duplicate key "repetitions": keys of a mapping must be unique\n`,
    );
    const many = await run(good, {
      set: ['containers.web.load.rate=-1', 'containers.db.limits.memory.max=lots'],
    });
    expect(many.stderr.trim().split('\n')).toEqual([
      'isobench: ISOBENCH_SCENARIO_INVALID: --set containers.web.load.rate: expected a number > 0, got -1 (number)',
      'isobench: ISOBENCH_SCENARIO_INVALID: --set containers.db.limits.memory.max: expected a size such as 512MiB, 1GB or 4096, or max, got "lots"',
    ]);
  });

  it('returns 2 for a missing file or a bad --shard', async () => {
    const missing = await run(join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('isobench: ISOBENCH_SCENARIO_UNREADABLE: ');
    expect(missing.stderr).toContain('cannot read the scenario (ENOENT)');
    const shard = await run(good, { shard: '3/2' });
    expect(shard).toMatchObject({
      code: 2,
      stderr:
        'isobench: ISOBENCH_BAD_SHARD: --shard: expected I/N with 1 <= I <= N, such as 1/4, got "3/2"\n',
    });
  });
});

describe('validateScenarioFile', () => {
  it('returns the scenario, the plan and its summary', async () => {
    const { scenario, plan, summary } = await validateScenarioFile(good);
    expect(scenario.name).toBe('mini');
    expect(plan.trials).toHaveLength(18);
    expect(summary).toMatchObject({ cells: 2, phases: 3, repetitions: 3, totalTrials: 18, trials: 18 });
  });
});

describe('the doctor field', () => {
  const parse = (extra: string, set: string[] = []) =>
    parseScenario(miniScenario(extra), { file: 'x.yaml', overrides: { set } });
  it('defaults to false; doctor: true or --set doctor=true asks for the host verification', () => {
    expect(parse('').doctor).toBe(false);
    expect(parse('doctor: true\n').doctor).toBe(true);
    expect(parse('', ['doctor=true']).doctor).toBe(true);
  });
  it('is a boolean, and a run-wide field that cells cannot change', () => {
    expect(scenarioErrorLines(() => parse('doctor: quick\n'))[0]).toMatch(/^x\.yaml:\d+:\d+ doctor: /);
    expect(scenarioErrorLines(() => parse('cells:\n  - name: a\n    set: { doctor: true }\n'))[0]).toContain(
      'cells and sweeps may change duration, warmup, sampleInterval or containers.*',
    );
  });
});
