/**
 * The trial's steps driven end to end without root: a fake cgroup driver and plain child
 * processes standing in for containers (harness/testing/fake-driver.ts). Asserts on states,
 * reasons and what was created and removed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrialRecord } from '../results/types.js';
import { parseScenario } from '../scenario/parse.js';
import { type PlannedTrial, planRun } from '../scenario/plan.js';
import { FakeDriver, fakeLauncher, READY_THEN_WAIT } from '../testing/fake-driver.js';
import { runTrial, type TrialContext } from './trial.js';

const dir = mkdtempSync(join(tmpdir(), 'isobench-trial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = `name: fake
duration: 1500ms
warmup: 300ms
repetitions: 1
sampleInterval: 100ms
containers:
  victim: { workload: cpu }
  hog: { workload: memory, aggressor: true }
phases:
  - { name: colocated, kind: colocated, containers: [victim, hog] }
`;

function colocatedTrial(): PlannedTrial {
  const plan = planRun(parseScenario(SCENARIO, { file: 'fake.yaml' }), { seed: 1 });
  const t = plan.trials[0];
  if (!t) throw new Error('no trial planned');
  return t;
}

async function trial(
  scripts: Record<string, string>,
  opts: {
    readyTimeoutMs?: number;
    onPhase?: (p: string, d: FakeDriver, ac: AbortController) => void;
    foreignCpuCores?: number;
  } = {},
) {
  const driver = new FakeDriver();
  const ac = new AbortController();
  const ctx: TrialContext = {
    driver,
    prepared: {
      victim: { state: 'scratch', templateDir: null, trialsRoot: join(dir, 'trials'), device: null },
      hog: { state: 'scratch', templateDir: null, trialsRoot: join(dir, 'trials'), device: null },
    },
    readyTimeoutMs: opts.readyTimeoutMs ?? 10_000,
    stopGraceMs: 2000,
    signal: ac.signal,
    launch: fakeLauncher(driver, scripts),
    guards: {
      lateSendFraction: 0.05,
      foreignCpuCores: opts.foreignCpuCores ?? 100, // the steps, not the host's load, unless asked
      stealCores: 100,
      loopDelayMs: 50,
      quiet: { belowCores: 0.5, forMs: 250, maxWaitMs: 0 },
    },
    onPhase: (p) => opts.onPhase?.(p, driver, ac),
  };
  const out = await runTrial(ctx, colocatedTrial());
  return { out, driver };
}

const recordOf = (out: Awaited<ReturnType<typeof runTrial>>): TrialRecord => {
  if (out === 'interrupted') throw new Error('interrupted');
  return out.record;
};
const reasonOf = (r: TrialRecord) => (r.status !== 'ok' ? r.reason : null);

/** Every cgroup created was removed, and every process is gone. */
function expectCleanedUp(driver: FakeDriver) {
  expect(driver.created.sort()).toEqual(['hog', 'victim']);
  expect(driver.removed.sort()).toEqual(driver.created);
  for (const c of driver.live.values())
    expect(c.child.exitCode !== null || c.child.signalCode !== null).toBe(true);
}

describe('runTrial (fake driver, no root)', () => {
  it('ok: both containers recorded with their exits, everything removed', async () => {
    const { out, driver } = await trial({ victim: READY_THEN_WAIT, hog: READY_THEN_WAIT });
    const r = recordOf(out);
    expect(r.status, reasonOf(r) ?? '').toBe('ok');
    expect(r.containers.map((c) => [c.name, c.exit?.exitCode, c.ready?.type, c.final?.type])).toEqual([
      ['victim', 0, 'ready', 'metrics'],
      ['hog', 0, 'ready', 'metrics'],
    ]);
    if (out !== 'interrupted') expect(out.samples.length).toBeGreaterThan(0);
    expectCleanedUp(driver);
  });

  it('a workload that never prints ready: failed with the timeout reason', async () => {
    const { out, driver } = await trial(
      { victim: 'setInterval(() => {}, 1000)', hog: READY_THEN_WAIT },
      { readyTimeoutMs: 300 },
    );
    const r = recordOf(out);
    expect(reasonOf(r)).toMatch(/^victim was not ready within 300 ms \(timeout\)/);
    expect(r.status === 'failed' && r.failedContainer).toBe('victim');
    expectCleanedUp(driver);
  });

  it('a malformed ready line is a protocol error naming the field', async () => {
    const bad = `process.stdout.write(JSON.stringify({ type: 'ready', workload: 'x', pid: 'one' }) + '\\n'); setInterval(() => {}, 1000);`;
    const { out, driver } = await trial({ victim: bad, hog: READY_THEN_WAIT });
    expect(reasonOf(recordOf(out))).toMatch(
      /^victim was not ready within .*malformed ready line \(ready line: pid: /,
    );
    expectCleanedUp(driver);
  });

  it('a victim that exits when the window opens: failed, "during the measurement"', async () => {
    const exitsOnMark = READY_THEN_WAIT.replace(
      `process.on('SIGUSR2', () => {});`,
      `process.on('SIGUSR2', () => process.exit(3));`,
    );
    const { out, driver } = await trial({ victim: exitsOnMark, hog: READY_THEN_WAIT });
    const r = recordOf(out);
    expect(reasonOf(r)).toMatch(/^victim exited with status 3 during the measurement/);
    expect(r.containers.find((c) => c.name === 'victim')?.exit?.exitCode).toBe(3);
    expectCleanedUp(driver);
  });

  it('an aggressor OOM-killed mid-trial is recorded and the trial stays ok', async () => {
    const { out, driver } = await trial(
      { victim: READY_THEN_WAIT, hog: READY_THEN_WAIT },
      { onPhase: (p, d) => p === 'measuring' && setTimeout(() => d.oomKill('hog'), 200) },
    );
    const r = recordOf(out);
    expect(r.status, reasonOf(r) ?? '').toBe('ok');
    expect(r.containers.find((c) => c.name === 'hog')?.exit).toEqual({
      exitCode: null,
      signal: 'SIGKILL',
      oomKilled: true,
    });
    expectCleanedUp(driver);
  });

  it('abort during warmup: interrupted, nothing left', async () => {
    const { out, driver } = await trial(
      { victim: READY_THEN_WAIT, hog: READY_THEN_WAIT },
      { onPhase: (p, _d, ac) => p === 'warming up' && ac.abort() },
    );
    expect(out).toBe('interrupted');
    expectCleanedUp(driver);
  });

  it('a trial with CPU burnt outside it beyond the guard is invalid, with the reason and its measure', async () => {
    // A busy loop outside every cgroup of the trial: foreign CPU the guard must catch.
    const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    try {
      const { out, driver } = await trial(
        { victim: READY_THEN_WAIT, hog: READY_THEN_WAIT },
        { foreignCpuCores: 0.3 },
      );
      const r = recordOf(out);
      expect(r.status).toBe('invalid');
      expect(reasonOf(r) ?? (r.status === 'invalid' ? r.reason : '')).toMatch(
        /^processes outside the trial used \d\.\d\d cores on average \(guard 0\.3\)/,
      );
      expect(r.measure?.guards.find((g) => g.name === 'foreignCpu')?.ok).toBe(false);
      expect(r.measure?.window.endEpochMs).toBeGreaterThan(r.measure?.window.startEpochMs ?? Infinity);
      expect(r.measure?.attempt).toBe(1);
      expectCleanedUp(driver);
    } finally {
      burner.kill('SIGKILL');
    }
  });
});
