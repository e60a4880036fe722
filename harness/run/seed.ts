/**
 * The plan seed of a run, and where it came from (recorded in results.json as `scenario.seedFrom`).
 *
 * Shards of one plan must agree on the seed, or `merge` refuses them as different plans. Without
 * `--seed` and without `seed:` in the scenario, a sharded run therefore derives its seed from the
 * scenario text and every override (and variant), so that three machines running shards 1/3, 2/3
 * and 3/3 of the same command line plan the same trials without knowing about seeds. An unsharded
 * run draws a fresh seed: repeated runs then see different orders, which is what keeps drift on a
 * machine from lining up with a cell or phase run after run.
 */
import { randomInt } from 'node:crypto';
import { seedFromString } from '../analysis/random.js';
import type { SeedSource } from '../results/types.js';
import type { Scenario } from '../scenario/types.js';

export function chooseSeed(opts: {
  seedOption: string | undefined;
  /** Every variant's scenario (one for a plain run), the first is the plan's. */
  units: { variant: string | null; scenario: Scenario }[];
  sharded: boolean;
}): { seed: number; seedFrom: SeedSource } {
  const first = opts.units[0]?.scenario;
  if (opts.seedOption !== undefined) return { seed: Number(opts.seedOption), seedFrom: 'option' };
  if (first?.seed !== undefined && first.seed !== null) return { seed: first.seed, seedFrom: 'scenario' };
  if (opts.sharded && first) {
    const key = JSON.stringify({
      text: first.text,
      units: opts.units.map((u) => [u.variant, u.scenario.overrides]),
    });
    return { seed: seedFromString(key) & 0x7fffffff, seedFrom: 'derived' };
  }
  return { seed: randomInt(2 ** 31), seedFrom: 'random' };
}
