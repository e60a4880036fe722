import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CPU_PARAMS } from '../catalog.js';
import { durationParam, intensityParam, intParam, parseParams } from '../params.js';
import { emitMetrics, emitReady, listenForStop, memoryFigures } from '../protocol.js';

const W = 'workload cpu';
export const SLICE_MS = 10;

/**
 * Each worker spins for intensity% of a 10 ms slice and sleeps the rest with Atomics.wait (a real
 * sleep in the kernel, so the CPU is free for neighbours). The slice is aligned to the clock, not
 * to the end of the previous spin, so a throttled thread does not stretch its period. The worker
 * is an eval'd string so the same code runs from dist/ and from the .ts sources under vitest.
 */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { state, index, busyMs, sliceMs } = workerData;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let x = 0;
while (Atomics.load(state, 0) === 0) {
  const sliceStart = Math.floor(performance.now() / sliceMs) * sliceMs;
  const busyEnd = sliceStart + busyMs;
  while (performance.now() < busyEnd) x = (x * 1103515245 + 12345) | 0;
  Atomics.add(state, 1 + index, 1);
  const rest = sliceStart + sliceMs - performance.now();
  if (rest > 0) Atomics.wait(sleeper, 0, 0, rest);
}
`;

export async function cpuMain(argv: string[]): Promise<number> {
  const v = parseParams(W, argv, CPU_PARAMS);
  const threads = v.threads === undefined ? availableParallelism() : intParam(W, v, 'threads', 1, 1024);
  const intensity = intensityParam(W, v);
  const durationMs = durationParam(W, v, 'duration');
  const stop = listenForStop();
  const busyMs = (SLICE_MS * intensity) / 100;
  // state[0] = stop flag, state[1 + i] = slices completed by worker i.
  const state = new Int32Array(new SharedArrayBuffer(4 * (threads + 1)));
  const startCpu = process.cpuUsage();
  const workers = Array.from(
    { length: threads },
    (_, index) =>
      new Worker(WORKER_SOURCE, { eval: true, workerData: { state, index, busyMs, sliceMs: SLICE_MS } }),
  );
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  const startedMs = performance.now();
  emitReady('cpu', { threads, intensity, sliceMs: SLICE_MS });
  const reason = await stop.wait(durationMs);
  Atomics.store(state, 0, 1);
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  const elapsedMs = performance.now() - startedMs;
  const cpu = process.cpuUsage(startCpu);
  const cpuUs = cpu.user + cpu.system;
  emitMetrics('cpu', {
    stopReason: reason,
    threads,
    intensity,
    slices: Array.from(state.subarray(1)).reduce((a, b) => a + b, 0),
    elapsedMs: Math.round(elapsedMs),
    cpuUs,
    // Below intensity x threads means the thread was throttled or had to share a CPU.
    cpuShareOfThreads: elapsedMs > 0 ? cpuUs / 1000 / elapsedMs / threads : 0,
    ...memoryFigures(),
  });
  return 0;
}
