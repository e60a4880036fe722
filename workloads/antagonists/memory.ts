import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MEMORY_PARAMS } from '../catalog.js';
import {
  byteRateParam,
  choiceParam,
  durationParam,
  flag,
  intensityParam,
  parseParams,
  sizeParam,
} from '../params.js';
import { emitMetrics, emitReady, listenForStop, memoryFigures, sleepMs } from '../protocol.js';

const W = 'workload memory';
const PAGE_BYTES = 4096;
/**
 * 64 MiB chunks: above glibc's largest dynamic mmap threshold (32 MiB), so every chunk is its own
 * mmap and freeing it really unmaps it; with smaller chunks churn would recycle the malloc heap
 * and stop faulting pages in, which is the part that hurts neighbours.
 */
const CHUNK_BYTES = 64 * 1024 * 1024;
/** Touch in steps of this many bytes, so the rate limit and signals are honoured mid-chunk. */
const STEP_BYTES = 4 * 1024 * 1024;
const BOMB_DEFAULT_RATE = 256 * 1024 * 1024;

/** gc() without --expose-gc on the command line (workloads are started by the harness as plain node). */
function getGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export async function memoryMain(argv: string[]): Promise<number> {
  const v = parseParams(W, argv, MEMORY_PARAMS);
  let mode = choiceParam(W, v, 'mode', ['hold', 'churn', 'bomb'] as const);
  if (flag(v, 'forever')) mode = 'bomb';
  if (flag(v, 'churn')) mode = 'churn';
  const intensity = intensityParam(W, v);
  const sizeBytes = Math.floor((sizeParam(W, v, 'size') * (mode === 'bomb' ? 100 : intensity)) / 100);
  let rateBytesPerSec = byteRateParam(W, v, 'rate');
  if (mode === 'bomb') rateBytesPerSec = ((rateBytesPerSec || BOMB_DEFAULT_RATE) * intensity) / 100;
  const durationMs = durationParam(W, v, 'duration');
  const stop = listenForStop();
  const gc = mode === 'churn' ? getGc() : undefined;

  const held: Buffer[] = [];
  const totals = { touchedBytes: 0, freedBytes: 0, cycles: 0, heldBytes: 0, peakHeldBytes: 0 };
  let stopping = false;
  const t0Ms = performance.now();

  // Touching one byte per page is enough to fault it in and make it resident.
  const touch = (chunk: Buffer, from: number, to: number) => {
    for (let off = from; off < to; off += PAGE_BYTES) chunk[off] = 1;
    totals.touchedBytes += to - from;
    totals.heldBytes += to - from;
    totals.peakHeldBytes = Math.max(totals.peakHeldBytes, totals.heldBytes);
  };
  const pace = async () => {
    if (rateBytesPerSec <= 0) return yieldNow();
    // Due time of the next byte, computed from t0 so the average rate does not drift.
    const dueMs = t0Ms + (totals.touchedBytes * 1000) / rateBytesPerSec;
    await sleepMs(dueMs - performance.now());
  };

  const loop = async () => {
    if (mode !== 'bomb' && sizeBytes < PAGE_BYTES) return; // intensity 0: hold nothing
    const limit = mode === 'bomb' ? Number.POSITIVE_INFINITY : sizeBytes;
    while (!stopping) {
      if (totals.heldBytes >= limit) {
        if (mode !== 'churn') return; // hold: keep what we have until stopped
        held.length = 0;
        totals.freedBytes += totals.heldBytes;
        totals.heldBytes = 0;
        totals.cycles++;
        gc?.();
        await yieldNow();
        continue;
      }
      const chunk = Buffer.allocUnsafeSlow(Math.min(CHUNK_BYTES, limit - totals.heldBytes));
      held.push(chunk);
      for (let from = 0; from < chunk.length && !stopping; from += STEP_BYTES) {
        touch(chunk, from, Math.min(chunk.length, from + STEP_BYTES));
        await pace();
      }
    }
  };

  emitReady('memory', { mode, sizeBytes, rateBytesPerSec, intensity });
  const running = loop();
  const reason = await stop.wait(durationMs);
  stopping = true;
  await running;
  emitMetrics('memory', {
    stopReason: reason,
    mode,
    intensity,
    sizeBytes,
    rateBytesPerSec,
    ...totals,
    ...memoryFigures(),
  });
  return 0;
}

function yieldNow(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
