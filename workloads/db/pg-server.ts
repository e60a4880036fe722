import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa, execaSync } from 'execa';
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
    const uid = Number(execaSync('id', ['-u', 'postgres']).stdout.trim());
    const gid = Number(execaSync('id', ['-g', 'postgres']).stdout.trim());
    return { uid, gid };
  } catch (err) {
    throw new HostError(
      'ISOBENCH_NO_POSTGRES_USER',
      'running as root but there is no `postgres` user to run the server as',
      { cause: err },
    );
  }
}

/** The server's and its tools' output goes to our stderr: our stdout carries the protocol lines. */
const TO_STDERR = { stdin: 'ignore', stdout: 2, stderr: 2 } as const;

/** Runs a PostgreSQL tool to its end; its output goes to our stderr (stdout carries the protocol). */
async function pgTool(
  file: string,
  args: string[],
  user: { uid: number; gid: number } | undefined,
  what: string,
) {
  const r = await execa(file, args, { ...user, ...TO_STDERR, reject: false });
  if (r.exitCode !== 0)
    throw new HostError('ISOBENCH_POSTGRES_CMD', `${what} failed (exit ${r.exitCode ?? r.signal})`);
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
    const probe = execaSync('test', ['-w', dataDir], { ...user, reject: false, stdio: 'ignore' });
    if (probe.exitCode !== 0) {
      throw new HostError(
        'ISOBENCH_PG_DATA_DIR',
        `the postgres user cannot reach --data-dir ${quote(dataDir)}: a parent directory is not searchable by it (mode 0700?); use a path whose parents are o+x, such as /var/tmp/...`,
      );
    }
  }

  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    log(`initdb ${pgdata}`);
    await pgTool(
      join(bin, 'initdb'),
      ['-D', pgdata, '-U', PG_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
      user,
      'initdb',
    );
  }
  const server = execa(
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
    { ...user, ...TO_STDERR, reject: false },
  );
  let exited = false;
  const exit = server.then(() => {
    exited = true;
  });
  const pid = server.pid;
  if (pid === undefined)
    throw new HostError('ISOBENCH_POSTGRES_START', `could not start ${join(bin, 'postgres')}`);

  const stop = async () => {
    if (exited) return;
    // Fast shutdown: roll back open transactions, checkpoint, exit; leaves a clean data dir.
    await pgTool(
      join(bin, 'pg_ctl'),
      ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60'],
      user,
      'pg_ctl stop',
    ).catch((err: Error) => log(err.message));
    if (!(await settledWithin(exit, 30_000))) {
      log('postgres did not stop; sending SIGKILL');
      server.kill('SIGKILL');
      await exit;
    }
  };

  // Ready when the socket accepts connections (pg_isready exit 0), bounded at 60 s.
  const startedMs = performance.now();
  for (;;) {
    if (exited)
      throw new HostError(
        'ISOBENCH_POSTGRES_START',
        `postgres exited during startup; see its log above (data dir ${quote(pgdata)})`,
      );
    const probe = await execa(join(bin, 'pg_isready'), ['-q', '-h', dataDir, '-p', String(PG_PORT)], {
      reject: false,
      stdio: 'ignore',
    });
    if (probe.exitCode === 0) break;
    if (performance.now() - startedMs > 60_000) {
      await stop();
      throw new HostError('ISOBENCH_POSTGRES_START', 'postgres did not accept connections within 60 s');
    }
    await sleepMs(100);
  }
  return { socketDir: dataDir, pgdata, pid, stop };
}
