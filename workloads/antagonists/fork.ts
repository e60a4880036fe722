import { type ChildProcess, spawn } from 'node:child_process';
import { FORK_PARAMS } from '../catalog.js';
import { durationParam, intensityParam, intParam, parseParams } from '../params.js';
import { emitMetrics, emitReady, listenForStop, log, sleepMs } from '../protocol.js';

const W = 'workload fork';
/** After a failed spawn (EAGAIN from pids.max), wait this long: keep pressing, do not spin. */
const BACKOFF_MS = 10;
/** Spawns in flight at once: enough to reach thousands per second, few enough to stay bounded. */
const MAX_CONCURRENT_SPAWNS = 32;

/**
 * A bounded fork bomb. Children are `cat` reading a pipe from us: they sleep in read(2) and exit
 * on EOF, so if we die (even by SIGKILL) the kernel closes the pipe and every child exits by
 * itself — the bomb cannot outlive its parent. Spawn failures (EAGAIN when pids.max is reached,
 * EMFILE, ENOMEM) are counted and retried, never fatal.
 */
export async function forkMain(argv: string[]): Promise<number> {
  const v = parseParams(W, argv, FORK_PARAMS);
  const max = intParam(W, v, 'max', 1, 1_000_000);
  const rateHz = (intParam(W, v, 'rate', 1, 1_000_000) * intensityParam(W, v)) / 100;
  const durationMs = durationParam(W, v, 'duration');
  const stop = listenForStop();
  const children = new Set<ChildProcess>();
  const counts = { started: 0, failed: 0, failedEagain: 0, exitedEarly: 0, peakAlive: 0 };
  const failures: Record<string, number> = {};
  let stopping = false;

  const spawnOne = (): Promise<boolean> =>
    new Promise((resolve) => {
      let child: ChildProcess;
      try {
        child = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
      } catch (err) {
        recordFailure((err as NodeJS.ErrnoException).code ?? 'UNKNOWN');
        resolve(false);
        return;
      }
      child.once('error', (err: NodeJS.ErrnoException) => {
        // libuv reports a failed fork/exec asynchronously as 'error' with no pid.
        if (child.pid === undefined) {
          recordFailure(err.code ?? 'UNKNOWN');
          resolve(false);
        }
      });
      child.once('spawn', () => {
        counts.started++;
        children.add(child);
        counts.peakAlive = Math.max(counts.peakAlive, children.size);
        resolve(true);
      });
      child.stdin?.on('error', () => {}); // EPIPE when a child is killed under us
      child.once('exit', () => {
        if (!stopping) counts.exitedEarly++;
        children.delete(child);
      });
    });
  const recordFailure = (code: string) => {
    counts.failed++;
    if (code === 'EAGAIN') counts.failedEagain++;
    failures[code] = (failures[code] ?? 0) + 1;
  };

  const t0Ms = performance.now();
  let attempts = 0;
  let spawning = 0;
  let lastFailureMs = Number.NEGATIVE_INFINITY;
  const loop = async () => {
    if (rateHz <= 0) return;
    while (!stopping) {
      // Spawns overlap (each takes ms of fork+exec); the bound counts the ones still starting.
      if (children.size + spawning >= max || spawning >= MAX_CONCURRENT_SPAWNS) {
        await sleepMs(5);
        continue;
      }
      // Attempt i is due at t0 + i/rate, so failures and slow spawns do not lower the nominal pace.
      await sleepMs(t0Ms + (attempts * 1000) / rateHz - performance.now());
      if (performance.now() - lastFailureMs < BACKOFF_MS) await sleepMs(BACKOFF_MS);
      if (stopping) break;
      attempts++;
      spawning++;
      void spawnOne().then((ok) => {
        spawning--;
        if (!ok) lastFailureMs = performance.now();
      });
    }
    while (spawning > 0) await sleepMs(5);
  };

  emitReady('fork', { max, rateHz });
  const running = loop();
  const reason = await stop.wait(durationMs);
  stopping = true;
  await running;
  const alive = children.size;
  await killAll(children);
  if (children.size > 0) log('fork', `${children.size} children did not exit after SIGKILL`);
  emitMetrics('fork', {
    stopReason: reason,
    max,
    rateHz,
    attempts,
    ...counts,
    aliveAtStop: alive,
    failures,
    leftAlive: children.size,
  });
  return 0;
}

async function killAll(children: Set<ChildProcess>): Promise<void> {
  for (const child of children) child.kill('SIGKILL');
  for (let i = 0; i < 100 && children.size > 0; i++) await sleepMs(20);
}
