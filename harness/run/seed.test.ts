import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/parse.js';
import { planRun } from '../scenario/plan.js';
import { miniScenario } from '../scenario/testutil.js';
import { chooseSeed } from './seed.js';

const scenario = (set: string[] = [], extra = '') =>
  parseScenario(miniScenario(extra), { file: 'x.yaml', overrides: { set } });
const plain = (set: string[] = [], extra = '') => [{ variant: null, scenario: scenario(set, extra) }];

describe('chooseSeed', () => {
  it('shards of one command line derive one seed, so their plans partition the same plan', () => {
    const seeds = [1, 2, 3].map(() => chooseSeed({ seedOption: undefined, units: plain(), sharded: true }));
    expect(new Set(seeds.map((s) => s.seed)).size).toBe(1);
    expect(seeds[0]?.seedFrom).toBe('derived');
    const seed = seeds[0]?.seed as number;
    const whole = planRun(scenario(), { seed }).trials.map((t) => t.id);
    const parts = [1, 2, 3].flatMap((index) =>
      planRun(scenario(), { seed, shard: { index, count: 3 } }).trials.map((t) => ({ i: t.index, id: t.id })),
    );
    expect(parts).toHaveLength(whole.length);
    expect(parts.sort((a, b) => a.i - b.i).map((p) => p.id)).toEqual(whole);
  });

  it('a different scenario text, override or variant derives a different seed', () => {
    const base = chooseSeed({ seedOption: undefined, units: plain(), sharded: true }).seed;
    const others = [
      plain(['containers.web.load.rate=500']),
      plain([], '# a comment changes the text\n'),
      [
        { variant: 'a', scenario: scenario() },
        { variant: 'b', scenario: scenario(['containers.db.limits.memory.max=256MiB']) },
      ],
    ].map((units) => chooseSeed({ seedOption: undefined, units, sharded: true }).seed);
    expect(others.filter((s) => s === base)).toEqual([]);
    expect(new Set(others).size).toBe(others.length);
  });

  it('--seed, then seed: in the scenario, win; an unsharded run draws a random seed', () => {
    expect(chooseSeed({ seedOption: '7', units: plain(), sharded: true })).toEqual({
      seed: 7,
      seedFrom: 'option',
    });
    expect(chooseSeed({ seedOption: undefined, units: plain([], 'seed: 11\n'), sharded: true })).toEqual({
      seed: 11,
      seedFrom: 'scenario',
    });
    const drawn = [1, 2, 3, 4].map(() =>
      chooseSeed({ seedOption: undefined, units: plain(), sharded: false }),
    );
    expect(drawn.every((d) => d.seedFrom === 'random')).toBe(true);
    expect(new Set(drawn.map((d) => d.seed)).size).toBeGreaterThan(1);
  });
});
