/**
 * The run's resident load generators (GeneratorPool): real `isobench load --serve` processes
 * against a real web server; jobs as a trial runs them (port, start instant, result).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, type Running, startWorkload, waitFor } from '../../workloads/test/helpers.js';
import type { CgroupDriver } from '../cgroup/driver.js';
import { RunGenerators } from './generators.js';
import { GeneratorPool, type LoadRun } from './load.js';

let server: Running;
let port: number;

beforeAll(async () => {
  ensureBuilt();
  server = startWorkload('web', ['--working-set', '4MiB']);
  port = (await server.ready).port as number;
});
afterAll(async () => {
  await server.stop();
});

const argv = (rate: number) => [
  'http://127.0.0.1/',
  '--port',
  'stdin',
  '--rate',
  String(rate),
  '--duration',
  '300ms',
  '--start-at',
  'stdin',
  '--json',
];

/** A trial's use of a job: ready, the port, a start instant, the result. */
async function runJob(pool: GeneratorPool, rate: number) {
  const job = pool.job(argv(rate), Promise.resolve(null), false);
  job.target(port);
  await job.ready;
  job.start(Date.now() + 20);
  return { job, result: await job.result };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('GeneratorPool', () => {
  it('runs one trial after another on one generator process; close ends it', async () => {
    const pool = new GeneratorPool(async () => []);
    const a = await runJob(pool, 100);
    const b = await runJob(pool, 200);
    expect([a.result?.scheduled, a.result?.completed, b.result?.scheduled, b.result?.completed]).toEqual([
      30, 30, 60, 60,
    ]);
    // A finished job's kill (every trial's teardown calls it) leaves the generator to the next.
    a.job.kill();
    b.job.kill();
    expect(pool.dirty).toBe(false);
    await runJob(pool, 100);
    expect(pool.started).toBe(1);
    await pool.close();
    expect(pool.started).toBe(1);
  });

  it('a job killed before its result kills its generator and marks the pool; the next job starts a fresh one', async () => {
    const pool = new GeneratorPool(async () => []);
    const job: LoadRun = pool.job(argv(100), Promise.resolve(null), false);
    job.target(port);
    await job.ready;
    job.kill();
    expect(pool.dirty).toBe(true);
    expect(await job.result).toBeNull();
    const next = await runJob(pool, 100);
    expect(next.result?.completed).toBe(30);
    expect(pool.started).toBe(2);
    await pool.close();
  });

  it('close ends idle generators at the end of their stdin, leaving no process', async () => {
    const pool = new GeneratorPool(async () => []);
    const job = pool.job(argv(100), Promise.resolve(null), false);
    job.target(port);
    await job.ready;
    const pids = [...(pool as unknown as { all: Set<{ sub: { pid?: number } }> }).all].map(
      (r) => r.sub.pid ?? -1,
    );
    expect(pids).toHaveLength(1);
    job.start(Date.now() + 20);
    await job.result;
    await pool.close();
    expect(await waitFor(() => !alive(pids[0] as number), 5000)).toBe(true);
  });
});

describe('RunGenerators', () => {
  it("a cgroup whose limit cannot be applied is removed at once, and the next trial's request tries again", async () => {
    const calls: string[] = [];
    let applyFails = true;
    const driver = {
      create: async (name: string) => {
        calls.push(`create ${name}`);
        return { name } as never;
      },
      check: () => {},
      apply: async () => {
        calls.push('apply');
        if (applyFails) throw new Error('EINVAL');
        return { 'cpu.weight': { value: '10000' } };
      },
      remove: async () => {
        calls.push('remove');
      },
      procsFiles: () => [],
    } as unknown as CgroupDriver;
    const g = new RunGenerators(driver, null);
    await expect(g.cgroup()).rejects.toThrow('EINVAL');
    expect(calls).toEqual(['create -loadgen', 'apply', 'remove']);
    applyFails = false;
    expect((await g.cgroup()).cpuWeight).toBe(10_000);
    await g.close();
    expect(calls).toEqual(['create -loadgen', 'apply', 'remove', 'create -loadgen', 'apply', 'remove']);
  });
});
