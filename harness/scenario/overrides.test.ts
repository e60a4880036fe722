import { describe, expect, it } from 'vitest';
import type { ScenarioOverrides } from './overrides.js';
import { parseScenario } from './parse.js';
import { miniScenario, scenarioErrorLines } from './testutil.js';

const parse = (overrides: ScenarioOverrides, extra = '') =>
  parseScenario(miniScenario(extra), { file: 'x.yaml', overrides });

describe('--set and the timing flags', () => {
  it('sets any field by its dotted path, reading values as YAML', () => {
    const s = parse({
      set: [
        'containers.db.limits.memory.max=512MiB',
        'containers.db.limits.io.max.wbps=10MiB',
        'containers.web.load.rate=250',
        'containers.web.params.working-set=2GiB',
        'repetitions=7',
        'phases=[{name: solo-db, kind: solo, containers: [db]}]',
      ],
    });
    const db = s.cells[0]?.containers.db;
    expect(db?.limits).toEqual({ 'memory.max': 512 * 1024 ** 2, 'io.max': { wbps: 10 * 1024 ** 2 } });
    expect(s.cells[0]?.containers.web?.load?.rateHz).toBe(250);
    expect(s.cells[0]?.containers.web?.params).toEqual({ 'working-set': '2GiB' });
    expect(s.repetitions).toBe(7);
    expect(s.phases.map((p) => p.name)).toEqual(['solo-db']);
    expect(s.overrides).toContain('--set repetitions=7');
  });

  it('applies --duration, --warmup and --repetitions after --set', () => {
    const s = parse({ set: ['duration=1m'], duration: '45s', warmup: '0', repetitions: '2' });
    expect(s.cells[0]?.durationMs).toBe(45_000);
    expect(s.cells[0]?.warmupMs).toBe(0);
    expect(s.repetitions).toBe(2);
  });

  it('reports a bad override against the flag, not the file', () => {
    expect(
      scenarioErrorLines(() =>
        parse({
          set: ['containers.db.limits.memory.max=lots', 'containers.cache.limits.cpu.weight=5', 'nonsense'],
          duration: 'soon',
          repetitions: '0',
        }),
      ),
    ).toEqual([
      '--set containers.cache.limits.cpu.weight: no container "cache" in containers (have web, db)',
      '--set nonsense: expected PATH=VALUE such as containers.db.limits.memory.max=512MiB, got "nonsense"',
      '--duration: expected a duration such as 500ms, 10s or 2m, got "soon"',
      '--repetitions: expected a number >= 1, got 0 (number)',
      '--set containers.db.limits.memory.max: expected a size such as 512MiB, 1GB or 4096, or max, got "lots"',
    ]);
  });

  it('refuses an override that a cell or sweep would silently replace', () => {
    const lines = scenarioErrorLines(() =>
      parse(
        { set: ['containers.db.limits.io.max.wbps=10MiB'] },
        'sweep:\n  containers.db.limits.io.max.wbps: [5MiB, max]\n',
      ),
    );
    expect(lines).toEqual([
      '--set containers.db.limits.io.max.wbps: sweep.containers.db.limits.io.max.wbps sweeps this path and would override it; change the sweep instead (--set sweep.containers.db.limits.io.max.wbps=[A, B])',
    ]);
  });

  it('can change a sweep, and then reports its values against the flag', () => {
    const extra = 'sweep:\n  containers.db.limits.io.max.wbps: [5MiB, max]\n';
    const s = parse({ set: ['sweep.containers.db.limits.io.max.wbps=[1MiB, 2MiB, 3MiB]'] }, extra);
    expect(s.cells).toHaveLength(3);
    expect(
      scenarioErrorLines(() =>
        parse({ set: ['sweep.containers.db.limits.io.max.wbps=[1MiB, slow]'] }, extra),
      ),
    ).toEqual([
      '--set sweep.containers.db.limits.io.max.wbps.1: expected a byte rate such as 10MiB, 10MiB/s or 5MB, or max, got "slow"',
    ]);
  });

  it('refuses unknown fields in a --set path', () => {
    expect(scenarioErrorLines(() => parse({ set: ['containers.web.lod.rate=5'] }))).toEqual([
      '--set containers.web.lod.rate: no field "lod" in containers.web; expected one of workload, command, params, limits, ioPath, cpuset, load, shareNet, aggressor, runtime, privileged',
    ]);
  });
});
