/**
 * The trial loop's stop hook (`afterBlock`, what `isobench tune` stops a point with), driven
 * without root through the fake driver and launcher: the loop runs blocks until the hook says
 * stop, and no block after that.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../results/types.js';
import { parseScenario } from '../scenario/parse.js';
import { planRun } from '../scenario/plan.js';
import { FakeDriver, fakeLauncher, READY_THEN_WAIT } from '../testing/fake-driver.js';
import { type LoopUnit, runSteps } from './loop.js';
import { Progress } from './progress.js';

const dir = mkdtempSync(join(tmpdir(), 'isobench-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = `name: fake
duration: 200ms
warmup: 50ms
repetitions: 6
sampleInterval: 100ms
containers:
  victim: { workload: cpu }
phases:
  - { name: solo, kind: solo, containers: [victim] }
guards: { foreignCpu: 100, steal: 100, quietWait: 0s }
`;

describe('runSteps afterBlock (fake driver, no root)', () => {
  it('stops after the block the hook says true for; the blocks it saw are counted 1, 2, 3', async () => {
    const scenario = parseScenario(SCENARIO, { file: 'fake.yaml' });
    const plan = planRun(scenario, { seed: 1 });
    expect(plan.trials.length).toBe(6);
    const driver = new FakeDriver();
    const unit: LoopUnit = {
      variant: null,
      scenario,
      plan,
      prepared: {
        c1: {
          victim: { state: 'scratch', templateDir: null, trialsRoot: join(dir, 'trials'), device: null },
        },
      },
      trials: [],
    };
    const seen: number[] = [];
    const sink = { write: () => true, isTTY: false } as unknown as NodeJS.WriteStream;
    const outcome = await runSteps(
      [unit],
      plan.trials.map((_, index) => ({ unit, index })),
      {
        driver,
        harnessCpus: null,
        readyTimeoutMs: 10_000,
        signal: new AbortController().signal,
        progress: new Progress(6, sink),
        snapshot: () => ({}) as ResultsFile,
        launch: fakeLauncher(driver, { victim: READY_THEN_WAIT }),
        afterBlock: (done) => {
          seen.push(done);
          return done === 3;
        },
      },
      null,
    );
    expect(seen).toEqual([1, 2, 3]);
    expect(unit.trials.map((t) => [t.repetition, t.status])).toEqual([
      [1, 'ok'],
      [2, 'ok'],
      [3, 'ok'],
    ]);
    expect(outcome).toEqual({ blocks: 3, sequential: null });
    expect(driver.created.length).toBe(3);
    expect(driver.removed.length).toBe(3);
  });
});
