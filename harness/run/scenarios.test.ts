/** Every scenario shipped in scenarios/ is valid and plans trials (so a broken one cannot ship). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKLOAD_PARAMS } from '../../workloads/index.js';
import { validateScenarioFile } from '../scenario/validate.js';
import { ROOT } from '../testing/support.js';

const dir = join(ROOT, 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('shipped scenarios', () => {
  it('include the default and the studies the README lists', () => {
    expect(files.sort()).toEqual(
      [
        'cpu-weight-sweep.yaml',
        'ibs-victim-aggressor.yaml',
        'io-max-sweep.yaml',
        'memory-max-sweep.yaml',
        'web-vs-db-one-core.yaml',
        'web-vs-db-runtimes.yaml',
        'web-vs-db.yaml',
        'web-vs-postgres.yaml',
      ].sort(),
    );
  });
  it.each(files)('%s validates and plans', async (f) => {
    const { plan, scenario } = await validateScenarioFile(join(dir, f), { workloadParams: WORKLOAD_PARAMS });
    expect(plan.trials.length).toBeGreaterThan(0);
    expect(scenario.name).toBe(f.replace(/\.yaml$/, ''));
  });
});
