import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HostError, quote } from '../../harness/errors.js';
import { settledWithin, sleepMs } from '../protocol.js';

export const PG_PORT = 5432;
export const PG_USER = 'isobench';
/** sun_path is 108 bytes including the NUL. */
const MAX_SOCKET_PATH = 107;

export interface PgServer {
  socketDir: string;
  pgdata: string;
  pid: number;
  stop(): Promise<void>;
}

/** Newest /usr/lib/postgresql/<ver>/bin (Debian layout), or ISOBENCH_PG_BIN. */
export function findPgBin(): string {
  const fromEnv = process.env.ISOBENCH_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest) {
    throw new HostError(
      'ISOBENCH_NO_POSTGRES',
      `no PostgreSQL server in ${root}/<version>/bin (apt-get install postgresql), or set ISOBENCH_PG_BIN`,
    );
  }
  return join(root, newest, 'bin');
}

/** Postgres refuses to run as root: as root, run its binaries as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch (err) {
    throw new HostError(
      'ISOBENCH_NO_POSTGRES_USER',
      'running as root but there is no `postgres` user to run the server as',
      { cause: err },
    );
  }
}

/**
 * initdb on first use, then start the postmaster as our child, listening only on a unix socket in
 * the data dir (listen_addresses=''), with durable commits (fsync=on, synchronous_commit=on).
 * Server logs go to our stderr; stdout stays reserved for the protocol lines.
 */
export async function startPostgres(dataDir: string, log: (m: string) => void): Promise<PgServer> {
  const bin = findPgBin();
  const pgdata = join(dataDir, 'pgdata');
  if (join(dataDir, `.s.PGSQL.${PG_PORT}`).length > MAX_SOCKET_PATH) {
    throw new HostError(
      'ISOBENCH_PATH_TOO_LONG',
      `--data-dir ${quote(dataDir)} is too long for a unix socket path (max ~${MAX_SOCKET_PATH - 13} characters)`,
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const user = runAs();
  if (user) {
    chownSync(dataDir, user.uid, user.gid);
    // We chown only the data dir, never its parents: if one of them is not searchable by
    // `postgres` (a 0700 mkdtemp dir, /root), say so instead of failing inside initdb.
    const probe = spawnSync('test', ['-w', dataDir], { ...user, stdio: 'ignore' });
    if (probe.status !== 0) {
      throw new HostError(
        'ISOBENCH_PG_DATA_DIR',
        `the postgres user cannot reach --data-dir ${quote(dataDir)}: a parent directory is not searchable by it (mode 0700?); use a path whose parents are o+x, such as /var/tmp/...`,
      );
    }
  }
  const spawnOptions = { stdio: ['ignore', 2, 2] as ['ignore', number, number], ...(user ?? {}) };

  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    log(`initdb ${pgdata}`);
    await runToEnd(
      spawn(
        join(bin, 'initdb'),
        ['-D', pgdata, '-U', PG_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
        spawnOptions,
      ),
      'initdb',
    );
  }
  const child = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      pgdata,
      '-c',
      'listen_addresses=',
      '-c',
      `unix_socket_directories=${dataDir}`,
      '-c',
      `port=${PG_PORT}`,
      '-c',
      'fsync=on',
      '-c',
      'synchronous_commit=on',
      '-c',
      'full_page_writes=on',
      '-c',
      'logging_collector=off',
      '-c',
      'max_connections=20',
    ],
    spawnOptions,
  );
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => {
    exited = true;
  });
  const pid = child.pid;
  if (pid === undefined)
    throw new HostError('ISOBENCH_POSTGRES_START', `could not start ${join(bin, 'postgres')}`);

  const stop = async () => {
    if (exited) return;
    // Fast shutdown: roll back open transactions, checkpoint, exit; leaves a clean data dir.
    const pgCtl = spawn(
      join(bin, 'pg_ctl'),
      ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60'],
      spawnOptions,
    );
    await runToEnd(pgCtl, 'pg_ctl stop').catch((err: Error) => log(err.message));
    await settledWithin(exit, 30_000);
    if (!exited) {
      log('postgres did not stop; sending SIGKILL');
      child.kill('SIGKILL');
      await exit;
    }
  };

  // Ready when the socket accepts connections (pg_isready exit 0).
  for (let i = 0; ; i++) {
    if (exited)
      throw new HostError(
        'ISOBENCH_POSTGRES_START',
        `postgres exited during startup; see its log above (data dir ${quote(pgdata)})`,
      );
    try {
      execFileSync(join(bin, 'pg_isready'), ['-q', '-h', dataDir, '-p', String(PG_PORT)], {
        stdio: 'ignore',
      });
      break;
    } catch {
      if (i > 600) {
        await stop();
        throw new HostError('ISOBENCH_POSTGRES_START', 'postgres did not accept connections within 60 s');
      }
      await sleepMs(100);
    }
  }
  return { socketDir: dataDir, pgdata, pid, stop };
}

function runToEnd(child: ChildProcess, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new HostError('ISOBENCH_POSTGRES_CMD', `${what} failed (exit ${code ?? signal})`)),
    );
  });
}
