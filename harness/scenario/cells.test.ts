import { describe, expect, it } from 'vitest';
import { parseScenario } from './parse.js';
import { miniScenario, scenarioErrorLines } from './testutil.js';

const parse = (extra: string) => parseScenario(miniScenario(extra), { file: 'x.yaml' });

describe('cells and sweeps', () => {
  it('makes one cell per sweep value, in order, with parsed values', () => {
    const s = parse('sweep:\n  containers.db.limits.io.max.wbps: [5MiB, 20MiB, max]\n');
    expect(s.cells.map((c) => [c.id, c.name])).toEqual([
      ['c1', 'db.io.max.wbps=5MiB'],
      ['c2', 'db.io.max.wbps=20MiB'],
      ['c3', 'db.io.max.wbps=max'],
    ]);
    expect(s.cells.map((c) => c.containers.db?.limits['io.max']?.wbps)).toEqual([
      5 * 1024 ** 2,
      20 * 1024 ** 2,
      'max',
    ]);
    expect(s.cells[0]?.settings).toEqual({ 'containers.db.limits.io.max.wbps': '5MiB' });
  });

  it('crosses sweep axes (first axis slowest) and named cells', () => {
    const s = parse(
      [
        'cells:',
        '  - name: plain',
        '  - name: weighted',
        '    set: { containers.web.limits.cpu.weight: 400 }',
        'sweep:',
        '  containers.db.limits.memory.max: [256MiB, 1GiB]',
        '  containers.web.params.mode: [heap, pagecache-free]',
        '  duration: [5s, 10s, 30s]',
        '',
      ].join('\n'),
    );
    expect(s.cells).toHaveLength(2 * 2 * 2 * 3);
    expect(s.cells[0]?.name).toBe('plain / db.memory.max=256MiB, web.mode=heap, duration=5s');
    expect(s.cells[1]?.name).toBe('plain / db.memory.max=256MiB, web.mode=heap, duration=10s');
    expect(s.cells[12]?.name).toBe('weighted / db.memory.max=256MiB, web.mode=heap, duration=5s');
    expect(s.cells[12]?.containers.web?.limits['cpu.weight']).toBe(400);
    expect(s.cells[12]?.settings).toEqual({
      'containers.web.limits.cpu.weight': 400,
      'containers.db.limits.memory.max': '256MiB',
      'containers.web.params.mode': 'heap',
      duration: '5s',
    });
    expect(s.cells[2]?.durationMs).toBe(30_000);
    expect(new Set(s.cells.map((c) => c.id)).size).toBe(24);
    // Cells do not leak into each other: the base stays without limits.
    expect(s.cells[0]?.containers.web?.limits).toEqual({});
  });

  it('reports each bad sweep value at its own position, once', () => {
    const lines = scenarioErrorLines(() =>
      parse('sweep:\n  containers.db.limits.io.max.wbps: [5MiB, fast, 0]\n  duration: [1s, 2s]\n'),
    );
    expect(lines).toEqual([
      'x.yaml:12:44 sweep.containers.db.limits.io.max.wbps.1: expected a byte rate such as 10MiB, 10MiB/s or 5MB, or max, got "fast"',
      'x.yaml:12:50 sweep.containers.db.limits.io.max.wbps.2: expected a rate above 0 (0 is not a limit the kernel keeps), got "0"',
    ]);
  });

  it('reports an unknown limit in a sweep path at the path, not at each value', () => {
    expect(
      scenarioErrorLines(() => parse('sweep:\n  containers.db.limits.memory.maxx: [1GiB, 2GiB]\n')),
    ).toEqual([
      expect.stringMatching(
        /^x\.yaml:12:3 sweep\.containers\.db\.limits\.memory\.maxx: unknown limit "memory\.maxx"/,
      ),
    ]);
  });

  it('refuses sweep paths that do not exist or change the run layout', () => {
    expect(
      scenarioErrorLines(() =>
        parse('sweep:\n  containers.db.limitz.memory.max: [1GiB]\n  repetitions: [3, 5]\n'),
      ),
    ).toEqual([
      'x.yaml:12:3 sweep.containers.db.limitz.memory.max: no field "limitz" in containers.db; expected one of workload, command, params, limits, ioPath, cpuset, load, shareNet, aggressor, runtime, privileged',
      'x.yaml:13:3 sweep.repetitions: cells and sweeps may change duration, warmup, sampleInterval or containers.*, got "repetitions" (use --set for the whole run)',
    ]);
  });

  it('refuses a path both set by a cell and swept', () => {
    const lines = scenarioErrorLines(() =>
      parse(
        'cells:\n  - name: a\n    set: { containers.db.limits.cpu.weight: 50 }\nsweep:\n  containers.db.limits.cpu.weight: [10, 100]\n',
      ),
    );
    expect(lines).toEqual([
      'x.yaml:13:12 cells.0.set.containers.db.limits.cpu.weight: also swept by sweep.containers.db.limits.cpu.weight; set a path in cells or sweep it, not both',
    ]);
  });

  it('refuses duplicate cell names and reports bad cell values at the value', () => {
    const lines = scenarioErrorLines(() =>
      parse('cells:\n  - name: a\n  - name: a\n    set: { containers.web.load.rate: -5 }\n'),
    );
    expect(lines).toEqual([
      'x.yaml:13:11 cells.1.name: duplicate cell name "a" (also cells.0.name)',
      'x.yaml:14:38 cells.1.set.containers.web.load.rate: expected a number > 0, got -5 (number)',
    ]);
  });
});
