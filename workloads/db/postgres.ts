import pg from 'pg';
import type { DbEngine, DbSetup } from './engine.js';
import { PG_PORT, PG_USER, startPostgres } from './pg-server.js';

const POPULATE_BATCH_ROWS = 100_000;

/** A real PostgreSQL server (ours, started in the data dir) driven over its unix socket by one client. */
export async function openPostgres(setup: DbSetup): Promise<DbEngine> {
  const server = await startPostgres(setup.dataDir, setup.log);
  const client = new pg.Client({
    host: server.socketDir,
    port: PG_PORT,
    user: PG_USER,
    database: 'postgres',
  });
  try {
    client.on('error', (err) => setup.log(`postgres client: ${err.message}`));
    await client.connect();
    await client.query(
      'CREATE TABLE IF NOT EXISTS kv (id bigint PRIMARY KEY, payload bytea NOT NULL, updated bigint NOT NULL)',
    );
    const res = await client.query<{ m: string }>('SELECT coalesce(max(id), 0)::text AS m FROM kv');
    let maxId = Number(res.rows[0]?.m ?? 0);
    if (maxId < setup.rows) {
      setup.log(`populating kv: rows ${maxId + 1}..${setup.rows}`);
      // md5 hex of the id, repeated and decoded: rowBytes of server-generated, non-repeating data.
      const hexRepeats = Math.ceil(setup.rowBytes / 16);
      while (maxId < setup.rows) {
        const to = Math.min(setup.rows, maxId + POPULATE_BATCH_ROWS);
        await client.query(
          `INSERT INTO kv SELECT g, substring(decode(repeat(md5(g::text), $3), 'hex') from 1 for $4), 0
             FROM generate_series($1::bigint, $2::bigint) AS g`,
          [maxId + 1, to, hexRepeats, setup.rowBytes],
        );
        maxId = to;
      }
      await client.query('CHECKPOINT');
    } else {
      setup.log(`reusing kv with ${maxId} rows`);
    }
    const engine: DbEngine = {
      name: 'postgres',
      maxId,
      begin: () => client.query('BEGIN'),
      read: (id) => client.query('SELECT payload FROM kv WHERE id = $1', [id]),
      insert: (id, payload) =>
        client.query('INSERT INTO kv (id, payload, updated) VALUES ($1, $2, $3)', [id, payload, Date.now()]),
      update: (id, payload) =>
        client.query('UPDATE kv SET payload = $1, updated = $2 WHERE id = $3', [payload, Date.now(), id]),
      commit: () => client.query('COMMIT'),
      close: async () => {
        await client.end().catch(() => {});
        await server.stop();
      },
      describe: () => ({ serverPid: server.pid, pgdata: server.pgdata }),
    };
    return engine;
  } catch (err) {
    await client.end().catch(() => {});
    await server.stop();
    throw err;
  }
}
