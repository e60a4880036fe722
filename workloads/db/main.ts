import { quote, UsageError } from '../../harness/errors.js';
import { DB_PARAMS } from '../catalog.js';
import { latencyReportUs, newLatencyHistogramUs, recordMs } from '../histogram.js';
import {
  choiceParam,
  durationParam,
  intParam,
  numParam,
  parseParams,
  requiredParam,
  sizeParam,
  str,
} from '../params.js';
import { emitMetrics, emitReady, listenForStop, log, memoryFigures, sleepMs } from '../protocol.js';
import { type DbEngine, PayloadSource } from './engine.js';

const W = 'workload db';
/** sqlite calls block the event loop: yield this often so SIGTERM is handled promptly. */
const YIELD_EVERY_MS = 20;

export async function dbMain(argv: string[]): Promise<number> {
  const v = parseParams(W, argv, DB_PARAMS);
  const engineName = choiceParam(W, v, 'engine', ['sqlite', 'postgres'] as const);
  const dataDir = requiredParam(W, v, 'data-dir');
  const rowBytes = sizeParam(W, v, 'row-bytes');
  if (rowBytes < 1)
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${W}: --row-bytes must be > 0, got ${quote(String(v['row-bytes']))}`,
    );
  const rows =
    str(v, 'size') === undefined
      ? intParam(W, v, 'rows', 1, 2 ** 40)
      : Math.max(1, Math.ceil(sizeParam(W, v, 'size') / rowBytes));
  const readPct = numParam(W, v, 'read-pct', 0, 100);
  const opsPerTxn = intParam(W, v, 'ops-per-txn', 1, 100_000);
  const rateHz = numParam(W, v, 'rate', 0, 1_000_000);
  const durationMs = durationParam(W, v, 'duration');
  const stop = listenForStop();
  const say = (m: string) => log('db', m);

  const setup = { dataDir, rows, rowBytes, log: say };
  // Imported lazily: a cpu antagonist should not load native sqlite or the pg client.
  const engine: DbEngine =
    engineName === 'sqlite'
      ? (await import('./sqlite.js')).openSqlite(setup)
      : await (await import('./postgres.js')).openPostgres(setup);

  const commitUs = newLatencyHistogramUs();
  const txnUs = newLatencyHistogramUs();
  const counts = { transactions: 0, reads: 0, inserts: 0, updates: 0, errors: 0, late: 0 };
  const payloads = new PayloadSource(rowBytes);
  let stopping = false;

  const runTxn = async () => {
    const startMs = performance.now();
    await engine.begin();
    for (let op = 0; op < opsPerTxn; op++) {
      const r = Math.random() * 100;
      if (r < readPct) {
        await engine.read(1 + Math.floor(Math.random() * engine.maxId));
        counts.reads++;
      } else if (r < readPct + (100 - readPct) / 2) {
        await engine.insert(++engine.maxId, payloads.next());
        counts.inserts++;
      } else {
        await engine.update(1 + Math.floor(Math.random() * engine.maxId), payloads.next());
        counts.updates++;
      }
    }
    const commitStartMs = performance.now();
    await engine.commit();
    const endMs = performance.now();
    recordMs(commitUs, endMs - commitStartMs);
    recordMs(txnUs, endMs - startMs);
    counts.transactions++;
  };

  const t0Ms = performance.now();
  const loop = async () => {
    let lastYieldMs = performance.now();
    while (!stopping) {
      if (rateHz > 0) {
        // Transaction i is due at t0 + i/rate; behind schedule we run back to back (and count it).
        const dueMs = t0Ms + (counts.transactions * 1000) / rateHz;
        const waitMs = dueMs - performance.now();
        if (waitMs > 0) {
          await sleepMs(waitMs);
          lastYieldMs = performance.now();
          if (stopping) break;
        } else if (waitMs < -1) counts.late++;
      }
      try {
        await runTxn();
      } catch (err) {
        counts.errors++;
        say(`transaction failed: ${(err as Error).message}`);
        await Promise.resolve(engine.commit()).catch(() => {});
        await sleepMs(10);
      }
      if (performance.now() - lastYieldMs > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYieldMs = performance.now();
      }
    }
  };

  // The measured window: from the mark (SIGUSR2, sent when the runner's warmup ends) or the start.
  let windowStart = { atMs: t0Ms, counts: { ...counts } };
  stop.onMark(() => {
    commitUs.reset();
    txnUs.reset();
    windowStart = { atMs: performance.now(), counts: { ...counts } };
  });
  emitReady('db', { engine: engineName, dataDir, rows: engine.maxId, rowBytes, ...engine.describe() });
  const running = loop();
  const reason = await stop.wait(durationMs);
  stopping = true;
  await running;
  const elapsedMs = performance.now() - windowStart.atMs;
  const inWindow = Object.fromEntries(
    Object.entries(counts).map(([k, v]) => [k, v - windowStart.counts[k as keyof typeof counts]]),
  ) as typeof counts;
  const described = engine.describe();
  await engine.close();
  emitMetrics('db', {
    stopReason: reason,
    engine: engineName,
    ...inWindow,
    commits: inWindow.transactions,
    elapsedMs: Math.round(elapsedMs),
    transactionsPerSec: elapsedMs > 0 ? (inWindow.transactions * 1000) / elapsedMs : 0,
    targetRateHz: rateHz,
    readPct,
    opsPerTxn,
    rows: engine.maxId,
    commitLatencyUs: latencyReportUs(commitUs),
    transactionLatencyUs: latencyReportUs(txnUs),
    ...described,
    ...memoryFigures(),
  });
  return 0;
}
