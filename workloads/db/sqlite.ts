import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type DbEngine, type DbSetup, PayloadSource } from './engine.js';

const POPULATE_BATCH_ROWS = 10_000;

/**
 * SQLite in WAL mode with synchronous=FULL: every COMMIT fsyncs the WAL, so commit latency is
 * the latency of a small synchronous write, the thing io.max and writeback neighbours hurt.
 */
export function openSqlite(setup: DbSetup): DbEngine {
  mkdirSync(setup.dataDir, { recursive: true });
  const file = join(setup.dataDir, 'isobench.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(
    'CREATE TABLE IF NOT EXISTS kv (id INTEGER PRIMARY KEY, payload BLOB NOT NULL, updated INTEGER NOT NULL)',
  );
  let maxId = Number((db.prepare('SELECT coalesce(max(id), 0) AS m FROM kv').get() as { m: number }).m);
  if (maxId < setup.rows) {
    setup.log(`populating ${file}: rows ${maxId + 1}..${setup.rows}`);
    // Population is setup, not measurement: no fsync per batch, one at the end.
    db.pragma('synchronous = OFF');
    const payloads = new PayloadSource(setup.rowBytes);
    const insert = db.prepare('INSERT INTO kv (id, payload, updated) VALUES (?, ?, 0)');
    const batch = db.transaction((from: number, to: number) => {
      for (let id = from; id <= to; id++) insert.run(id, payloads.next());
    });
    while (maxId < setup.rows) {
      const to = Math.min(setup.rows, maxId + POPULATE_BATCH_ROWS);
      batch(maxId + 1, to);
      maxId = to;
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
  } else {
    setup.log(`reusing ${file} with ${maxId} rows`);
  }
  db.pragma('synchronous = FULL');

  const read = db.prepare('SELECT payload FROM kv WHERE id = ?');
  const insert = db.prepare('INSERT INTO kv (id, payload, updated) VALUES (?, ?, ?)');
  const update = db.prepare('UPDATE kv SET payload = ?, updated = ? WHERE id = ?');
  return {
    name: 'sqlite',
    maxId,
    begin: () => db.exec('BEGIN'),
    read: (id) => read.get(id),
    insert: (id, payload) => insert.run(id, payload, Date.now()),
    update: (id, payload) => update.run(payload, Date.now(), id),
    commit: () => db.exec('COMMIT'),
    close: async () => {
      db.close();
    },
    describe: () => ({ file, fileBytes: sizeOf(file), walBytes: sizeOf(`${file}-wal`) }),
  };
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
