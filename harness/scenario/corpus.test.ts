import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from './issues.js';
import { parseScenario } from './parse.js';

const here = new URL('.', import.meta.url).pathname;
const badDir = join(here, 'testdata/bad');
const goodDir = join(here, 'testdata/good');

/** `# expect: LINE:COL PATH ~ FRAGMENT` lines at the top of each bad file. */
function expectations(text: string): { prefix: string; fragment: string }[] {
  return [...text.matchAll(/^# expect: (\d+:\d+)( \S+)? ~ (.+)$/gm)].map((m) => ({
    prefix: m[2] ? `${m[1]}${m[2]}: ` : `${m[1]}: `,
    fragment: m[3] as string,
  }));
}

function errorOf(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScenarioError) return err;
    throw err;
  }
  throw new Error('expected a ScenarioError');
}

describe('malformed scenarios', () => {
  const files = readdirSync(badDir).filter((f) => f.endsWith('.yaml'));

  it('has the corpus the issue asks for', () => {
    for (const name of [
      'syntax-error',
      'duplicate-key',
      'wrong-type',
      'unknown-field',
      'bad-size',
      'unknown-workload',
      'unknown-limit',
      'unknown-container-in-phase',
      'bad-sweep-value',
      'billion-laughs',
    ]) {
      expect(files).toContain(`${name}.yaml`);
    }
  });

  it.each(files)('%s: every error at its LINE:COL path, quoting the value', (file) => {
    const text = readFileSync(join(badDir, file), 'utf8');
    const expected = expectations(text);
    expect(expected.length).toBeGreaterThan(0);
    const err = errorOf(() => parseScenario(text, { file: `scenarios/${file}` }));
    expect(err.code).toBe('ISOBENCH_SCENARIO_INVALID');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(err.lines.join('\n'));
    expect(err.lines).toHaveLength(expected.length);
    expected.forEach(({ prefix, fragment }, i) => {
      const line = err.lines[i] ?? '';
      expect(line.startsWith(`scenarios/${file}:${prefix}`), `${line} should start with ${prefix}`).toBe(
        true,
      );
      expect(line).toContain(fragment);
    });
  });

  it('uses exec’s message for limits', () => {
    const text = readFileSync(join(badDir, 'bad-size.yaml'), 'utf8');
    expect(errorOf(() => parseScenario(text, { file: 'x.yaml' })).lines[0]).toBe(
      'x.yaml:10:19 containers.db.limits.memory.max: expected a size such as 512MiB, 1GB or 4096, or max, got "lots"',
    );
  });

  it('refuses thousands of aliases, and an alias without its anchor, at the alias', () => {
    const many = `name: many\nx: &a lol\nlols: [${Array(3000).fill('*a').join(', ')}]\n`;
    const err = errorOf(() => parseScenario(many, { file: 'x.yaml' }));
    expect(err.lines).toHaveLength(1);
    expect(err.lines[0]).toMatch(
      /^x\.yaml:3:8 lols\.0: aliases expand this document to 30\d\d values .*billion laughs/,
    );
    expect(errorOf(() => parseScenario('name: x\nseed: *s\n', { file: 'x.yaml' })).lines).toEqual([
      'x.yaml:2:7 seed: alias *s has no anchor &s before it (an anchor must be set before its aliases)',
    ]);
  });

  it('refuses a document that is not a mapping', () => {
    expect(errorOf(() => parseScenario('- a\n- b\n', { file: 'x.yaml' })).lines).toEqual([
      'x.yaml:1:1: expected a mapping of scenario fields (name, containers, phases ...), got ["a","b"] (list)',
    ]);
  });

  it('points a missing required field at the mapping that lacks it', () => {
    const err = errorOf(() =>
      parseScenario('name: x\ncontainers:\n  web:\n    workload: web\n    load: { connections: 2 }\n', {
        file: 'x.yaml',
      }),
    );
    expect(err.lines).toEqual(['x.yaml:5:11 containers.web.load.rate: required: expected a number']);
  });
});

describe('good scenarios', () => {
  it.each(readdirSync(goodDir).filter((f) => f.endsWith('.yaml')))('%s parses', (file) => {
    const s = parseScenario(readFileSync(join(goodDir, file), 'utf8'), { file });
    expect(s.cells.length).toBeGreaterThan(0);
    expect(s.phases.length).toBeGreaterThan(0);
  });

  it('resolves web-vs-db into two cells with parsed limits', () => {
    const s = parseScenario(readFileSync(join(goodDir, 'web-vs-db.yaml'), 'utf8'), {
      file: 'web-vs-db.yaml',
    });
    expect(s.name).toBe('web-vs-db');
    expect(s.cells.map((c) => [c.id, c.name])).toEqual([
      ['c1', 'no-limits'],
      ['c2', 'isolated'],
    ]);
    const [plain, isolated] = s.cells;
    expect(plain?.containers.db?.limits).toEqual({});
    expect(isolated?.containers.db?.limits).toEqual({
      'cpu.weight': 100,
      'memory.max': 512 * 1024 ** 2,
      'io.max': { wbps: 20 * 1024 ** 2 },
    });
    expect(isolated?.containers.db?.requestedLimits['io.max.wbps']).toBe('20MiB');
    expect(isolated?.durationMs).toBe(20_000);
    expect(isolated?.warmupMs).toBe(5_000);
    expect(isolated?.sampleIntervalMs).toBe(500);
    expect(s.cells[0]?.containers.web).toMatchObject({
      workload: { kind: 'builtin', name: 'web' },
      params: { mode: 'heap', 'working-set': '1GiB' },
      load: { rateHz: 1000, connections: 16, arrivals: 'uniform' },
      ioPath: null,
      shareNet: false,
    });
    expect(s.phases.map((p) => p.name)).toEqual(['solo-web', 'solo-db', 'colocated']);
    expect(s.warnings).toEqual([]);
  });

  it('fills defaults: timings, default phases, one default cell, command workloads, cpuset', () => {
    const s = parseScenario(
      'name: tiny\ncontainers:\n  a: { workload: cpu, cpuset: 0 }\n  b: { command: [sleep, "1"] }\n',
      { file: 'tiny.yaml' },
    );
    expect(s.repetitions).toBe(5);
    expect(s.outputDir).toBe('results');
    expect(s.cells).toHaveLength(1);
    expect(s.cells[0]).toMatchObject({
      id: 'c1',
      name: 'default',
      settings: {},
      durationMs: 20_000,
      warmupMs: 5_000,
    });
    expect(s.cells[0]?.containers.a?.limits).toEqual({ 'cpuset.cpus': '0' });
    expect(s.cells[0]?.containers.b?.workload).toEqual({ kind: 'command', argv: ['sleep', '1'] });
    expect(s.phases).toEqual([
      { name: 'solo-a', kind: 'solo', containers: ['a'] },
      { name: 'solo-b', kind: 'solo', containers: ['b'] },
      { name: 'colocated', kind: 'colocated', containers: ['a', 'b'] },
    ]);
  });

  it('warns when a colocated container has no solo baseline', () => {
    const s = parseScenario(
      'name: w\ncontainers:\n  a: { workload: cpu }\n  b: { workload: io }\nphases:\n  - { name: both, kind: colocated, containers: [a, b] }\n',
      { file: 'w.yaml' },
    );
    expect(s.warnings).toHaveLength(2);
    expect(s.warnings[0]).toContain('container a has no solo phase');
  });
});
