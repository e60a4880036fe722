import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { itWhen } from '../../harness/testing/support.js';
import { decodeHistogram } from '../histogram.js';
import { ensureBuilt, isAlive, procIo, sleep, startWorkload } from '../test/helpers.js';
import { findPgBin } from './pg-server.js';

const dir = mkdtempSync(join(tmpdir(), 'isobench-db-'));
// mkdtemp makes 0700 dirs; the postgres server runs as user postgres and must traverse it.
chmodSync(dir, 0o755);
let missingPostgres: string | null = null;
try {
  findPgBin();
} catch (err) {
  missingPostgres = `no PostgreSQL server (apt-get install postgresql): ${(err as Error).message}`;
}

beforeAll(() => ensureBuilt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('db workload, sqlite', () => {
  it('commits reach the disk: write_bytes and write syscalls grow with commits', async () => {
    const dataDir = join(dir, 'sqlite');
    const db = startWorkload('db', ['--data-dir', dataDir, '--rows', '5000', '--read-pct', '50']);
    const ready = await db.ready;
    expect(ready.rows).toBe(5000);
    const before = procIo(db.pid);
    await sleep(1500);
    const after = procIo(db.pid);
    const { metrics, code } = await db.stop();
    expect(code).toBe(0);
    const commits = metrics.commits as number;
    expect(commits).toBeGreaterThan(10);
    const commitLatency = metrics.commitLatencyUs as { count: number; histogram: string };
    expect(commitLatency.count).toBe(commits);
    expect(decodeHistogram(commitLatency.histogram).totalCount).toBe(commits);
    // synchronous=FULL + WAL: each commit appends at least one 4 KiB WAL frame and fsyncs it, so
    // the block layer sees >= 4 KiB per commit in the window (most of the run's commits).
    const windowBytes = (after.write_bytes ?? 0) - (before.write_bytes ?? 0);
    expect(windowBytes).toBeGreaterThanOrEqual(4096 * commits * 0.5);
    expect((after.syscw ?? 0) - (before.syscw ?? 0)).toBeGreaterThanOrEqual(commits * 0.5);
  });

  it('reuses an existing database instead of populating again', async () => {
    const db = startWorkload('db', ['--data-dir', join(dir, 'sqlite'), '--rows', '5000', '--rate', '20']);
    const ready = await db.ready;
    expect(ready.rows as number).toBeGreaterThanOrEqual(5000); // plus rows inserted by the first run
    await sleep(500);
    const { metrics } = await db.stop();
    expect(db.stderr()).toContain('reusing');
    expect(metrics.transactions as number).toBeGreaterThan(0);
    // --rate 20: transaction i is due at t0 + i/20 s, so over the window the workload itself
    // measured it can have started at most one per 50 ms, plus the one due at t0.
    expect(metrics.transactions as number).toBeLessThanOrEqual(
      Math.floor(((metrics.elapsedMs as number) * 20) / 1000) + 1,
    );
  });
});

describe('db workload, postgres', () => {
  itWhen(missingPostgres)(
    'starts a real server, commits, and stops it on SIGTERM leaving nothing running',
    async () => {
      const dataDir = join(dir, 'pg');
      const db = startWorkload('db', ['--engine', 'postgres', '--data-dir', dataDir, '--rows', '2000']);
      const ready = await db.ready;
      const serverPid = ready.serverPid as number;
      expect(isAlive(serverPid)).toBe(true);
      expect(existsSync(join(dataDir, '.s.PGSQL.5432'))).toBe(true); // unix socket only
      await sleep(1500);
      const { metrics, code } = await db.stop();
      expect(code).toBe(0);
      expect(metrics.commits as number).toBeGreaterThan(10);
      expect((metrics.commitLatencyUs as { count: number }).count).toBe(metrics.commits);
      expect(isAlive(serverPid)).toBe(false);
      expect(existsSync(join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false);
    },
  );
});
