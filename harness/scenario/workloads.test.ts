/**
 * The scenario format against the real workloads: names agree, and parameter names are
 * checked against what each workload declares.
 */
import { describe, expect, it } from 'vitest';
import { WORKLOAD_NAMES, WORKLOAD_PARAMS } from '../../workloads/index.js';
import { workloadArgs } from './argv.js';
import { parseScenario } from './parse.js';
import { WORKLOADS } from './schema.js';
import { scenarioErrorLines } from './testutil.js';

const parse = (containers: string) =>
  parseScenario(`name: w\ncontainers:\n${containers}`, { file: 'w.yaml', workloadParams: WORKLOAD_PARAMS });

describe('workloads', () => {
  it('knows the same workloads as workloads/', () => {
    expect([...WORKLOADS].sort()).toEqual([...WORKLOAD_NAMES].sort());
  });

  it('checks parameter names and switches against each workload', () => {
    const switchName =
      Object.entries(WORKLOAD_PARAMS.io).find(([, spec]) => spec.type === 'boolean')?.[0] ?? 'direct';
    const lines = scenarioErrorLines(() =>
      parse(
        `  w:\n    workload: web\n    load: { rate: 1 }\n    params: { bogus: 1, duration: 5s }\n  i:\n    workload: io\n    params: { ${switchName}: yes-please }\n`,
      ),
    );
    expect(lines[0]).toMatch(
      /^w\.yaml:6:15 containers\.w\.params\.bogus: unknown parameter "bogus" for workload web: expected one of .*working-set/,
    );
    expect(lines[1]).toBe(
      'w.yaml:6:25 containers.w.params.duration: "duration" is set by the runner (use the scenario\'s duration)',
    );
    expect(lines[2]).toBe(
      `w.yaml:9:${17 + switchName.length} containers.i.params.${switchName}: expected true or false (a switch), got "yes-please"`,
    );
  });

  it('accepts the default scenario’s parameters', () => {
    const s = parse(
      `  web:\n    workload: web\n    load: { rate: 1000 }\n    params: { mode: heap, working-set: 1GiB }\n  db: { workload: db, params: { engine: sqlite } }\n`,
    );
    expect(s.cells[0]?.containers.web?.params).toEqual({ mode: 'heap', 'working-set': '1GiB' });
  });
});

describe('workloadArgs', () => {
  it('turns params into --key value, switches into --key', () => {
    const s = parseScenario(
      'name: a\ncontainers:\n  i: { workload: io, params: { path: /tmp, direct: true, sync: false, rate: 8MiB } }\n  c: { command: [stress-ng, --cpu, "1"] }\n',
      { file: 'a.yaml' },
    );
    const [i, c] = [s.cells[0]?.containers.i, s.cells[0]?.containers.c];
    expect(i && workloadArgs(i)).toEqual({
      kind: 'builtin',
      name: 'io',
      args: ['--path', '/tmp', '--direct', '--rate', '8MiB'],
    });
    expect(c && workloadArgs(c)).toEqual({ kind: 'command', argv: ['stress-ng', '--cpu', '1'] });
  });
});
