import { describe, expect, it } from 'vitest';
import { setIn, splitPath } from './paths.js';

describe('splitPath', () => {
  it('keeps dotted limit, param, cell and sweep keys whole', () => {
    expect(splitPath('containers.db.limits.io.max.wbps')).toEqual({
      ok: true,
      segments: ['containers', 'db', 'limits', 'io.max.wbps'],
    });
    expect(splitPath('containers.web.params.working-set')).toEqual({
      ok: true,
      segments: ['containers', 'web', 'params', 'working-set'],
    });
    expect(splitPath('cells.1.set.containers.db.limits.memory.max')).toEqual({
      ok: true,
      segments: ['cells', '1', 'set', 'containers.db.limits.memory.max'],
    });
    expect(splitPath('sweep.containers.db.limits.io.max.wbps')).toEqual({
      ok: true,
      segments: ['sweep', 'containers.db.limits.io.max.wbps'],
    });
    expect(splitPath('containers.web.load.rate')).toEqual({
      ok: true,
      segments: ['containers', 'web', 'load', 'rate'],
    });
    // A container may be called "limits": position decides, not the name.
    expect(splitPath('containers.limits.limits.cpu.weight')).toEqual({
      ok: true,
      segments: ['containers', 'limits', 'limits', 'cpu.weight'],
    });
  });

  it('refuses empty segments', () => {
    expect(splitPath('containers..db')).toMatchObject({ ok: false });
    expect(splitPath('')).toMatchObject({ ok: false });
  });
});

describe('setIn', () => {
  it('creates optional mappings but not containers or list items', () => {
    const doc: Record<string, unknown> = { containers: { db: { workload: 'db' } }, phases: [] };
    expect(setIn(doc, ['containers', 'db', 'limits', 'io.max.wbps'], '5MiB')).toBeNull();
    expect(doc).toEqual({
      containers: { db: { workload: 'db', limits: { 'io.max.wbps': '5MiB' } } },
      phases: [],
    });
    expect(setIn(doc, ['containers', 'web', 'limits', 'cpu.weight'], 5)).toMatch(/no container "web"/);
    expect(setIn(doc, ['phases', '0', 'name'], 'x')).toMatch(/no item "0" in phases \(it has 0\)/);
    expect(setIn(doc, ['containers', 'db', 'workload', 'x'], 1)).toMatch(
      /containers.db.workload is not a mapping or a list/,
    );
  });
});
