import { describe, expect, it } from 'vitest';
import { compareRuns, exitCodeOf } from './compare.js';
import { lineDiff } from './differences.js';
import { syntheticRun } from './testutil.js';

const FAST = {};

describe('compareRuns: A/A', () => {
  it('two runs of the same settings never give a regression (30 seed pairs)', () => {
    let regressions = 0;
    let improvements = 0;
    let rows = 0;
    for (let s = 1; s <= 30; s++) {
      const report = compareRuns(syntheticRun({ seed: 2 * s }), syntheticRun({ seed: 2 * s + 1 }), {
        thresholdPct: 5,
        ...FAST,
      });
      expect(report.differences.comparable).toBe(true);
      expect(report.differences.items).toEqual([]);
      regressions += report.counts.regression;
      improvements += report.counts.improvement;
      rows += report.rows.length;
      expect(['no-change', 'inconclusive']).toContain(report.overall);
      expect(exitCodeOf(report)).not.toBe(1);
    }
    // 2 cells x ((web p50, p99, p99.9, goodput + db commit p50, p99, txn/s) x (solo, colocated,
    // slowdown) + (web errors, timeouts) x (solo, colocated): fractions have no slowdown row).
    expect(rows).toBe(30 * 2 * (7 * 3 + 2 * 2));
    expect(regressions).toBe(0);
    expect(improvements).toBe(0);
  });

  it('a run against itself is no-change or inconclusive on every row', () => {
    const a = syntheticRun({ seed: 5 });
    const report = compareRuns(a, a, { thresholdPct: 5, ...FAST });
    for (const r of report.rows) {
      // No change: a ratio of 1, or a difference of 0 (error fractions).
      expect(r.estimate).toBe(r.scale === 'ratio' ? 1 : 0);
      expect(['no-change', 'inconclusive']).toContain(r.verdict);
    }
  });

  it('low noise and a ±15% band: every row no-change, exit 0', () => {
    const report = compareRuns(
      syntheticRun({ seed: 1, sigma: 0.005 }),
      syntheticRun({ seed: 2, sigma: 0.005 }),
      {
        thresholdPct: 15,
        ...FAST,
      },
    );
    expect(report.counts['no-change']).toBe(report.rows.length);
    expect(report.overall).toBe('no-change');
    expect(exitCodeOf(report)).toBe(0);
  });
});

describe('compareRuns: planted changes', () => {
  it('a 30% p99 increase of web when colocated is a regression there and nowhere else', () => {
    const base = syntheticRun({ seed: 11 });
    const cand = syntheticRun({
      seed: 12,
      effects: [{ container: 'web', metric: 'latencyP99Us', factor: 1.3, phase: 'colocated' }],
    });
    const report = compareRuns(base, cand, { thresholdPct: 5, ...FAST });
    const regressed = report.rows.filter((r) => r.verdict === 'regression');
    // The colocated p99 in both cells, and the slowdown derived from it.
    expect(regressed.map((r) => `${r.cell} ${r.container} ${r.kind} ${r.metric}`).sort()).toEqual([
      'c1 web colocated latencyP99Us',
      'c1 web slowdown latencyP99Us',
      'c2 web colocated latencyP99Us',
      'c2 web slowdown latencyP99Us',
    ]);
    for (const r of regressed) {
      expect(r.low).toBeGreaterThan(1.05);
      expect(r.pHolm).toBeLessThan(0.05);
      expect(r.why).toMatch(/worse side/);
    }
    const solo = report.rows.find(
      (r) => r.cell === 'c1' && r.phase === 'web-solo' && r.metric === 'latencyP99Us',
    );
    expect(solo?.verdict).not.toBe('regression');
    expect(report.overall).toBe('regression');
    expect(exitCodeOf(report)).toBe(1);
  });

  it('over many seeds, a planted 30% change is always caught and never spills over', () => {
    for (let s = 1; s <= 10; s++) {
      const report = compareRuns(
        syntheticRun({ seed: 100 + s }),
        syntheticRun({
          seed: 200 + s,
          effects: [{ container: 'db', metric: 'commitP99Us', factor: 1.3, cell: 'c1' }],
        }),
        { thresholdPct: 5, ...FAST },
      );
      const hit = report.rows.find(
        (r) => r.cell === 'c1' && r.container === 'db' && r.phase === 'db-solo' && r.metric === 'commitP99Us',
      );
      expect(hit?.verdict).toBe('regression');
      for (const r of report.rows.filter((x) => x.verdict === 'regression')) {
        expect([r.cell, r.container, r.metric]).toEqual(['c1', 'db', 'commitP99Us']);
      }
    }
  });

  it('a transactions/s drop is a regression, a rise an improvement (higher is better)', () => {
    const base = syntheticRun({ seed: 21 });
    const drop = compareRuns(
      base,
      syntheticRun({
        seed: 22,
        effects: [{ container: 'db', metric: 'txnPerSec', factor: 0.7, phase: 'db-solo' }],
      }),
      { thresholdPct: 5, ...FAST },
    );
    const row = (rep: typeof drop) =>
      rep.rows.find((r) => r.cell === 'c1' && r.phase === 'db-solo' && r.metric === 'txnPerSec');
    expect(row(drop)?.verdict).toBe('regression');
    const rise = compareRuns(
      base,
      // In every phase, so the slowdown stays: a solo-only rise would make the colocated phase
      // relatively slower, which is (rightly) a slowdown regression.
      syntheticRun({ seed: 22, effects: [{ container: 'db', metric: 'txnPerSec', factor: 1.3 }] }),
      { thresholdPct: 5, ...FAST },
    );
    expect(row(rise)?.verdict).toBe('improvement');
    expect(rise.counts.regression).toBe(0);
    expect(exitCodeOf(rise)).not.toBe(1);
  });

  it('open-loop throughput gives no row by default: it is the offered rate by construction', () => {
    const report = compareRuns(syntheticRun({ seed: 1 }), syntheticRun({ seed: 2 }), { thresholdPct: 5 });
    expect(report.rows.some((r) => r.metric === 'throughputRps')).toBe(false);
    // Still comparable on request.
    const asked = compareRuns(syntheticRun({ seed: 1 }), syntheticRun({ seed: 2 }), {
      thresholdPct: 5,
      metrics: ['throughputRps'],
    });
    expect(asked.rows.length).toBeGreaterThan(0);
  });

  it('a 20x regression with a wide interval is a regression: width never hides a change that clears the band', () => {
    // The old rule called rows with intervals wider than 4 bands "inconclusive"; CI treated
    // that as a pass. Trial noise of 60% makes the interval wide, but it lies far above the band.
    const report = compareRuns(
      syntheticRun({ seed: 41, sigma: 0.6 }),
      syntheticRun({
        seed: 42,
        sigma: 0.6,
        effects: [{ container: 'web', metric: 'latencyP50Us', factor: 20 }],
      }),
      { thresholdPct: 5, metrics: ['latencyP50Us'] },
    );
    const row = report.rows.find((r) => r.cell === 'c1' && r.phase === 'web-solo');
    expect((row?.high ?? 0) / (row?.low ?? 1)).toBeGreaterThan(2); // an interval spanning 2x and more
    expect(row?.verdict).toBe('regression');
    expect(exitCodeOf(report)).toBe(1);
  });

  it('fewer than 5 trials a side: every row inconclusive, even with a planted change', () => {
    const report = compareRuns(
      syntheticRun({ seed: 1, repetitions: 4 }),
      syntheticRun({
        seed: 2,
        repetitions: 4,
        effects: [{ container: 'web', metric: 'latencyP99Us', factor: 2 }],
      }),
      { thresholdPct: 5, ...FAST },
    );
    expect(report.counts.inconclusive).toBe(report.rows.length);
    expect(report.rows[0]?.why).toMatch(/fewer than 5 trials a side \(base 4, candidate 4\)/);
    expect(exitCodeOf(report)).toBe(3);
  });

  it('a real change in heavy trial-to-trial noise: a regression where its interval clears the band, else inconclusive', () => {
    // The old rule made every such row inconclusive ("interval too wide"). Now width only turns
    // a straddling row into "needs more trials"; a row whose whole interval clears the band and
    // whose test survives Holm is the regression it is.
    const report = compareRuns(
      syntheticRun({ seed: 31, sigma: 0.5 }),
      syntheticRun({
        seed: 32,
        sigma: 0.5,
        effects: [{ container: 'web', metric: 'latencyP99Us', factor: 1.5 }],
      }),
      { thresholdPct: 5, ...FAST },
    );
    expect(report.counts.improvement).toBe(0);
    for (const r of report.rows.filter((x) => x.verdict === 'regression')) {
      expect([r.container, r.metric, r.kind]).toEqual(['web', 'latencyP99Us', 'solo']);
      expect(r.low).toBeGreaterThan(1.05);
    }
    const planted = report.rows.filter((r) => r.metric === 'latencyP99Us' && r.kind !== 'slowdown');
    for (const r of planted) expect(r.verdict).not.toBe('no-change');
    expect(report.overall).not.toBe('no-change');
  });

  it('only the metrics asked for, and the result is deterministic (exact methods, no resampling)', () => {
    const a = syntheticRun({ seed: 1 });
    const b = syntheticRun({ seed: 2 });
    const r1 = compareRuns(a, b, { thresholdPct: 5, metrics: ['latencyP99Us'], ...FAST });
    const r2 = compareRuns(a, b, { thresholdPct: 5, metrics: ['latencyP99Us'], ...FAST });
    expect(new Set(r1.rows.map((r) => r.metric))).toEqual(new Set(['latencyP99Us']));
    expect(r1.rows).toHaveLength(2 * 3); // 2 cells x (web-solo, colocated, slowdown)
    expect(r1).toEqual(r2);
  });
});

describe('compareRuns: several colocated phases (an IBS-style matrix)', () => {
  it('gives a slowdown row per colocated phase, against the solo phase', () => {
    const withSecond = (seed: number) => {
      const r = syntheticRun({ seed });
      const phase = { name: 'colocated-2', kind: 'colocated' as const, containers: ['web', 'db'] };
      r.scenario.phases.push(phase);
      const extra = r.trials
        .filter((t) => t.phase.name === 'colocated')
        .map((t, i) => ({ ...structuredClone(t), id: `${t.id}-2`, index: 1000 + i, phase }));
      r.trials.push(...extra);
      return r;
    };
    const report = compareRuns(withSecond(1), withSecond(2), {
      thresholdPct: 5,
      metrics: ['latencyP99Us'],
      ...FAST,
    });
    expect(report.rows.filter((r) => r.cell === 'c1').map((r) => `${r.kind} ${r.phase}`)).toEqual([
      'solo web-solo',
      'colocated colocated',
      'colocated colocated-2',
      'slowdown colocated/web-solo',
      'slowdown colocated-2/web-solo',
    ]);
  });
});

describe('compareRuns: what differs', () => {
  it('lists kernel, overrides, scenario lines and requested limits', () => {
    const base = syntheticRun({ seed: 1 });
    const cand = syntheticRun({ seed: 2 });
    cand.host.kernel = '6.10.0-rc1';
    cand.scenario.overrides = ['containers.db.limits.memory.max=512MiB'];
    base.scenario.text = 'name: example\ncontainers:\n  db:\n    limits:\n      memory.max: 256MiB\n';
    cand.scenario.text = 'name: example\ncontainers:\n  db:\n    limits:\n      memory.max: 512MiB\n';
    for (const t of cand.trials) {
      for (const c of t.containers) if (c.name === 'db') c.limits.requested['memory.max'] = '512MiB';
    }
    const d = compareRuns(base, cand, { thresholdPct: 5, ...FAST }).differences;
    expect(d.comparable).toBe(true);
    const byField = Object.fromEntries(d.items.map((i) => [i.field, i]));
    expect(byField['host.kernel']).toEqual({
      field: 'host.kernel',
      base: '6.8.0-45-generic',
      cand: '6.10.0-rc1',
    });
    expect(byField['scenario.overrides']?.cand).toBe('containers.db.limits.memory.max=512MiB');
    expect(byField['scenario.text']).toEqual({
      field: 'scenario.text',
      base: '      memory.max: 256MiB',
      cand: '      memory.max: 512MiB',
    });
    expect(byField['c1/db limits.memory.max']).toEqual({
      field: 'c1/db limits.memory.max',
      base: '(unset)',
      cand: '512MiB',
    });
    expect(byField['c1/web limits.memory.max']).toBeUndefined();
  });

  it('different containers or cells are not comparable, and the reasons name them', () => {
    const base = syntheticRun({ seed: 1 });
    const cand = syntheticRun({ seed: 2 });
    cand.scenario.phases = cand.scenario.phases.map((p) => ({
      ...p,
      containers: p.containers.map((c) => (c === 'db' ? 'cache' : c)),
    }));
    const report = compareRuns(base, cand, { thresholdPct: 5, ...FAST });
    expect(report.differences.comparable).toBe(false);
    expect(report.differences.reasons.join('\n')).toMatch(
      /containers differ \(only in base: db; only in candidate: cache\)/,
    );
    expect(report.rows).toEqual([]);

    const cells = syntheticRun({ seed: 3 });
    cells.cells = cells.cells.map((c) => (c.id === 'c2' ? { ...c, name: 'cpu.weight=500' } : c));
    const r2 = compareRuns(base, cells, { thresholdPct: 5, ...FAST });
    expect(r2.differences.comparable).toBe(false);
    expect(r2.differences.reasons[0]).toMatch(/cells differ.*c2 \(cpu.weight=1000\).*c2 \(cpu.weight=500\)/);
  });

  it('notes a shard and an interrupted run', () => {
    const cand = syntheticRun({ seed: 2 });
    cand.scenario.shard = { index: 1, count: 2 };
    cand.status = 'interrupted';
    const d = compareRuns(syntheticRun({ seed: 1 }), cand, { thresholdPct: 5, ...FAST }).differences;
    expect(d.notes.join('\n')).toMatch(/candidate is shard 1\/2/);
    expect(d.notes.join('\n')).toMatch(/candidate run was interrupted/);
  });

  it('lineDiff keeps common lines out', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nx\nc\nd\n')).toEqual({ removed: ['b'], added: ['x', 'd'] });
  });
});
