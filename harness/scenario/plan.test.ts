import { describe, expect, it } from 'vitest';
import { parseScenario } from './parse.js';
import { formatApproxDuration, formatPlanSummary, parseShard, planRun } from './plan.js';
import { miniScenario, scenarioErrorLines } from './testutil.js';

const twoCells = parseScenario(
  miniScenario(
    'cells:\n  - name: no-limits\n  - name: isolated\n    set: { containers.db.limits.io.max.wbps: 20MiB }\n',
  ),
  { file: 'x.yaml' },
);

const orderOf = (trials: { cell: { id: string }; phase: { name: string } }[]) =>
  trials.map((t) => `${t.cell.id}-${t.phase.name}`);

describe('planRun', () => {
  it('plans cells x phases x repetitions with stable ids', () => {
    const plan = planRun(twoCells, { seed: 1 });
    expect(plan.totalTrials).toBe(2 * 3 * 3);
    expect(plan.trials).toHaveLength(18);
    expect(plan.trials.map((t) => t.index)).toEqual([...Array(18).keys()]);
    expect(new Set(plan.trials.map((t) => t.id)).size).toBe(18);
    expect(plan.trials.map((t) => t.id)).toContain('c2-colocated-r3');
    const t = plan.trials.find((x) => x.id === 'c2-colocated-r3');
    expect(t?.containers.map((c) => c.name)).toEqual(['web', 'db']);
    expect(t?.containers[1]?.limits).toEqual({ 'io.max': { wbps: 20 * 1024 ** 2 } });
    expect(t?.cell).toEqual({
      id: 'c2',
      name: 'isolated',
      settings: { 'containers.db.limits.io.max.wbps': '20MiB' },
    });
    expect(t).toMatchObject({ durationMs: 10_000, warmupMs: 2_000, repetition: 3 });
  });

  it('runs repetition-major: each cell and phase once per repetition', () => {
    const plan = planRun(twoCells, { seed: 99 });
    for (let r = 1; r <= 3; r++) {
      const rep = plan.trials.slice((r - 1) * 6, r * 6);
      expect(rep.every((t) => t.repetition === r)).toBe(true);
      expect(new Set(orderOf(rep)).size).toBe(6);
    }
  });

  it('never repeats the previous repetition’s order, for any seed', () => {
    const tiny = parseScenario(
      'name: t\nrepetitions: 20\ncontainers:\n  a: { workload: cpu }\n  b: { workload: io }\nphases:\n  - { name: solo-a, kind: solo, containers: [a] }\n  - { name: both, kind: colocated, containers: [a, b] }\n',
      { file: 't.yaml' },
    );
    for (let seed = 0; seed < 50; seed++) {
      for (const s of [tiny, twoCells]) {
        const plan = planRun(s, { seed });
        const n = s.cells.length * s.phases.length;
        const reps = Array.from({ length: s.repetitions }, (_, r) =>
          orderOf(plan.trials.slice(r * n, (r + 1) * n)).join(),
        );
        for (let r = 1; r < reps.length; r++) expect(reps[r]).not.toBe(reps[r - 1]);
      }
    }
  });

  it('keeps a single unit in place (nothing to interleave)', () => {
    const one = parseScenario('name: one\nrepetitions: 3\ncontainers:\n  a: { workload: cpu }\n', {
      file: 'o.yaml',
    });
    expect(planRun(one).trials.map((t) => t.id)).toEqual(['c1-solo-a-r1', 'c1-solo-a-r2', 'c1-solo-a-r3']);
  });

  it('is deterministic per seed, differs across seeds, and records the seed', () => {
    const a = planRun(twoCells, { seed: 7 });
    expect(planRun(twoCells, { seed: 7 })).toEqual(a);
    expect(a.seed).toBe(7);
    expect(orderOf(planRun(twoCells, { seed: 8 }).trials)).not.toEqual(orderOf(a.trials));
    // Without a seed: the scenario's, else one derived from its name.
    expect(planRun(twoCells).seed).toBe(planRun(twoCells).seed);
    const pinned = parseScenario(miniScenario('seed: 1234\n'), { file: 'x.yaml' });
    expect(planRun(pinned).seed).toBe(1234);
    expect(planRun(pinned, { seed: 5 }).seed).toBe(1234);
  });

  it('shards by index modulo N, and the shards partition the run', () => {
    const full = planRun(twoCells, { seed: 3 });
    const shards = [1, 2, 3, 4].map((index) => planRun(twoCells, { seed: 3, shard: { index, count: 4 } }));
    expect(shards[1]?.trials.map((t) => t.index)).toEqual([1, 5, 9, 13, 17]);
    const ids = shards.flatMap((s) => s.trials.map((t) => t.id)).sort();
    expect(ids).toEqual(full.trials.map((t) => t.id).sort());
    expect(shards.every((s) => s.totalTrials === 18)).toBe(true);
  });
});

describe('sequential runs (precision)', () => {
  const seq = (extra: string) => parseScenario(miniScenario(`precision: 5%\n${extra}`), { file: 's.yaml' });

  it('plans the maximum of blocks up front, the first ones the same as a fixed run of the same seed', () => {
    const s = seq('maxRepetitions: 7\ntimeBudget: 20m\n');
    expect(s.sequential).toEqual({ precision: 0.05, maxRepetitions: 7, timeBudgetMs: 1_200_000 });
    const plan = planRun(s, { seed: 4 });
    expect(plan).toMatchObject({ repetitions: 3, maxRepetitions: 7, totalTrials: 1 * 3 * 7 });
    expect(Math.max(...plan.trials.map((t) => t.repetition))).toBe(7);
    const fixed = planRun(parseScenario(miniScenario(), { file: 'f.yaml' }), { seed: 4 });
    // Extra blocks extend the plan: the first 3 blocks are trial for trial the fixed run's.
    expect(plan.trials.slice(0, fixed.trials.length).map((t) => `${t.index} ${t.id}`)).toEqual(
      fixed.trials.map((t) => `${t.index} ${t.id}`),
    );
  });

  it('defaults to 3 x repetitions blocks at most, and takes 0.05 as 5%', () => {
    expect(seq('').sequential?.maxRepetitions).toBe(9);
    expect(parseScenario(miniScenario('precision: 0.05\n'), { file: 's.yaml' }).sequential?.precision).toBe(
      0.05,
    );
  });

  it('prints the range of the plan: blocks, trials and time', () => {
    expect(formatPlanSummary(planRun(seq('maxRepetitions: 6\n')))).toBe(
      '1 cell x 3 phases x 3 to 6 repetitions (sequential: until ±5%) = 9 to 18 trials, about 2 min to 4 min',
    );
  });

  it('takes --precision, --max-repetitions and --time-budget, and reports bad ones against the flag', () => {
    const s = parseScenario(miniScenario(), {
      file: 's.yaml',
      overrides: { precision: '2.5%', maxRepetitions: '12', timeBudget: '1h' },
    });
    expect(s.sequential).toEqual({ precision: 0.025, maxRepetitions: 12, timeBudgetMs: 3_600_000 });
    expect(s.overrides).toEqual(['--precision 2.5%', '--max-repetitions 12', '--time-budget 1h']);
    expect(
      scenarioErrorLines(() =>
        parseScenario(miniScenario(), { file: 's.yaml', overrides: { precision: '5', maxRepetitions: '2' } }),
      ),
    ).toEqual([
      '--precision: expected a precision such as 5% or 0.05 (above 0 and below 100%), got 5 (number)',
      '--max-repetitions: expected at least repetitions (3), the blocks before the first look, got 2 (number)',
    ]);
  });
});

describe('summaries and shards', () => {
  it('prints the shape, count and rough time', () => {
    const plan = planRun(twoCells);
    // 18 trials x (2 s warmup + 10 s + 2 s overhead) = 252 s.
    expect(formatPlanSummary(plan)).toBe('2 cells x 3 phases x 3 repetitions = 18 trials, about 4 min');
    expect(formatPlanSummary(planRun(twoCells, { shard: { index: 2, count: 4 } }))).toBe(
      '2 cells x 3 phases x 3 repetitions = 18 trials (shard 2/4: 5 trials), about 70 s',
    );
    expect(formatApproxDuration(30 * 27_000)).toBe('about 14 min');
    expect(formatApproxDuration(45_000)).toBe('about 45 s');
    expect(formatApproxDuration(125 * 60_000)).toBe('about 2 h 5 min');
  });

  it('parses --shard I/N and refuses nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(() => parseShard('0/4')).toThrow(/"0\/4"/);
    expect(() => parseShard('5/4')).toThrow(/"5\/4"/);
    expect(() => parseShard('half')).toThrow(/"half"/);
  });
});
