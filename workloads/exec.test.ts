/**
 * Workloads under `isobench exec` (real cgroups): what the cgroup sees must match what each
 * workload claims to do. Needs root (skipped with the reason otherwise; a failure under CI=true).
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { itWhen, missingRoot } from '../harness/testing/support.js';
import { ensureBuilt, type Json, MAIN_JS, REPO } from './test/helpers.js';

const CLI = join(REPO, 'dist/harness/cli.js');
const MiB = 1024 * 1024;
const it = itWhen(missingRoot());
const dir = mkdtempSync(join(tmpdir(), 'isobench-exec-'));
chmodSync(dir, 0o755);

interface ExecStats {
  cpuUsageUs: number;
  memoryPeakBytes: number;
  oomKills: number;
  ioWriteBytes: number;
  ioWriteOps: number;
  pidsPeak: number;
}
interface ExecResult {
  exitCode: number | null;
  oomKilled: boolean;
  stats: ExecStats;
}

/** Runs `isobench exec --limit ... -- node main.js workload NAME ARGS` and returns its JSON and the workload's lines. */
async function execWorkload(
  name: string,
  args: string[],
  limits: string[] = [],
): Promise<{ exec: ExecResult; lines: Json[] }> {
  const jsonFile = join(dir, `${name}-${Date.now()}.json`);
  // The test dir is the container's data dir (--io-path): the one host directory it may write (the
  // sqlite database below it), and a contained container's /tmp is a private one.
  const argv = [CLI, 'exec', '--name', `wl-${name}`, '--io-path', dir, '--json-file', jsonFile];
  for (const limit of limits) argv.push('--limit', limit);
  argv.push('--', process.execPath, MAIN_JS, 'workload', name, ...args);
  const child = spawn(process.execPath, argv, { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  await new Promise((resolve) => child.once('exit', resolve));
  const lines = stdout
    .split('\n')
    .filter((l) => l.startsWith('{"type"'))
    .map((l) => JSON.parse(l) as Json);
  return { exec: JSON.parse(readFileSync(jsonFile, 'utf8')) as ExecResult, lines };
}

const metricsOf = (lines: Json[]) => lines.find((l) => l.type === 'metrics') ?? {};

beforeAll(() => ensureBuilt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('workloads under isobench exec (needs root)', () => {
  it('web heap: the cgroup memory peak covers the working set', async () => {
    const { exec, lines } = await execWorkload('web', ['--working-set', '128MiB', '--duration', '1s']);
    expect(exec.exitCode).toBe(0);
    // The web server announces its port as soon as it listens, before its working set is ready.
    expect(lines.map((l) => l.type)).toEqual(['listening', 'ready', 'metrics']);
    expect(exec.stats.memoryPeakBytes).toBeGreaterThanOrEqual(128 * MiB);
  });

  it('db sqlite: the cgroup written bytes grow with commits', async () => {
    const dataDir = join(dir, 'sqlite');
    // First run populates; compare two measured runs on the populated database.
    await execWorkload('db', ['--data-dir', dataDir, '--rows', '5000', '--duration', '100ms']);
    const few = await execWorkload('db', [
      '--data-dir',
      dataDir,
      '--rows',
      '5000',
      '--rate',
      '20',
      '--duration',
      '1s',
    ]);
    const many = await execWorkload('db', [
      '--data-dir',
      dataDir,
      '--rows',
      '5000',
      '--rate',
      '200',
      '--duration',
      '1s',
    ]);
    const fewCommits = metricsOf(few.lines).commits as number;
    const manyCommits = metricsOf(many.lines).commits as number;
    expect(manyCommits).toBeGreaterThan(3 * fewCommits);
    expect(few.exec.stats.ioWriteBytes).toBeGreaterThanOrEqual(fewCommits * 4096 * 0.5);
    expect(many.exec.stats.ioWriteBytes).toBeGreaterThan(few.exec.stats.ioWriteBytes);
  });

  it('memory bomb: memory.max ends it with an OOM kill', async () => {
    const { exec } = await execWorkload(
      'memory',
      ['--mode', 'bomb', '--rate', '512MiB/s', '--duration', '20s'],
      ['memory.max=128M', 'memory.swap.max=0'],
    );
    expect(exec.oomKilled).toBe(true);
    expect(exec.stats.oomKills).toBeGreaterThanOrEqual(1);
  });

  it('fork bomb: pids.max makes spawns fail with EAGAIN, counted, not fatal', async () => {
    const { exec, lines } = await execWorkload(
      'fork',
      ['--max', '1000', '--duration', '2s'],
      ['pids.max=32'],
    );
    expect(exec.exitCode).toBe(0);
    const metrics = metricsOf(lines);
    expect(metrics.failedEagain as number).toBeGreaterThan(0);
    expect(metrics.leftAlive).toBe(0);
    expect(exec.stats.pidsPeak).toBeLessThanOrEqual(32);
  });
});
