import {
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { quote, UsageError } from '../../harness/errors.js';
import { IO_PARAMS } from '../catalog.js';
import { ensureFilledFile } from '../files.js';
import { latencyReportUs, newLatencyHistogramUs, recordMs } from '../histogram.js';
import {
  byteRateParam,
  choiceParam,
  durationParam,
  flag,
  intensityParam,
  parseParams,
  requiredParam,
  sizeParam,
} from '../params.js';
import { emitMetrics, emitReady, listenForStop, log, sleepMs } from '../protocol.js';
import { alignedBuffer } from './aligned.js';

const W = 'workload io';
const SLICE_MS = 100;
/** Yield to the event loop at least this often so SIGTERM is seen promptly. */
const BATCH_MS = 20;
const ALIGN_BYTES = 4096;
const MODES = ['write', 'read', 'randwrite', 'randread'] as const;

export async function ioMain(argv: string[]): Promise<number> {
  const v = parseParams(W, argv, IO_PARAMS);
  const dir = requiredParam(W, v, 'path');
  const mode = choiceParam(W, v, 'mode', MODES);
  const direct = flag(v, 'direct');
  const dsync = flag(v, 'sync');
  const blockBytes = sizeParam(W, v, 'block-size');
  const fileBytes = sizeParam(W, v, 'file-size');
  const intensity = intensityParam(W, v);
  const rateParam = byteRateParam(W, v, 'rate');
  const durationMs = durationParam(W, v, 'duration');
  const stop = listenForStop();
  if (blockBytes < 1 || (direct && blockBytes % ALIGN_BYTES !== 0)) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${W}: --block-size must be > 0 (a multiple of 4096 with --direct), got ${quote(String(v['block-size']))}`,
    );
  }
  if (fileBytes < blockBytes) {
    throw new UsageError(
      'ISOBENCH_BAD_PARAM',
      `${W}: --file-size must be at least --block-size, got ${quote(String(v['file-size']))}`,
    );
  }
  if (!existsSync(dir))
    throw new UsageError('ISOBENCH_BAD_PARAM', `${W}: --path ${quote(dir)} does not exist`);
  const reading = mode === 'read' || mode === 'randread';
  const random = mode.startsWith('rand');
  const rateBytesPerSec = (rateParam * intensity) / 100;
  const file = join(dir, 'isobench-io.dat');
  const created = !existsSync(file);
  // Reads need data to read; writes overwrite in place, so the file never grows past fileBytes.
  if (reading) ensureFilledFile(file, fileBytes);
  const flags =
    (reading ? constants.O_RDONLY : constants.O_WRONLY | constants.O_CREAT) |
    (direct ? constants.O_DIRECT : 0) |
    (dsync && !reading ? constants.O_DSYNC : 0);
  const fd = openSync(file, flags, 0o644);
  const buffer = direct ? alignedBuffer(blockBytes) : Buffer.allocUnsafeSlow(blockBytes);
  buffer.fill(0x3c);
  const blocks = Math.floor(fileBytes / blockBytes);
  const opLatencyUs = newLatencyHistogramUs();
  const totals = { ops: 0, bytes: 0, errors: 0 };
  const io = (block: number) => {
    const position = block * blockBytes;
    const startMs = performance.now();
    const n = reading
      ? readSync(fd, buffer, 0, blockBytes, position)
      : writeSync(fd, buffer, 0, blockBytes, position);
    recordMs(opLatencyUs, performance.now() - startMs);
    totals.ops++;
    totals.bytes += n;
  };
  try {
    io(0); // probe: fails here with EINVAL if O_DIRECT alignment is not met
  } catch (err) {
    closeSync(fd);
    throw new UsageError(
      'ISOBENCH_IO_FAILED',
      `${W}: first ${mode} on ${quote(file)}${direct ? ' with O_DIRECT' : ''} failed: ${(err as Error).message}`,
      { cause: err },
    );
  }

  let stopping = false;
  let sequential = 1;
  const t0Ms = performance.now();
  const loop = async () => {
    while (!stopping) {
      if (rateBytesPerSec <= 0 && intensity <= 0) {
        await sleepMs(SLICE_MS);
        continue;
      }
      const batchEndMs = performance.now() + BATCH_MS;
      while (performance.now() < batchEndMs) {
        if (rateBytesPerSec > 0) {
          // Block i is due at t0 + i*blockBytes/rate: no drift, and catch-up after a stall.
          const dueMs = t0Ms + (totals.bytes * 1000) / rateBytesPerSec;
          if (dueMs > performance.now()) break;
        } else if (intensity < 100) {
          const intoSliceMs = (performance.now() - t0Ms) % SLICE_MS;
          if (intoSliceMs >= (SLICE_MS * intensity) / 100) break;
        }
        const block = random ? Math.floor(Math.random() * blocks) : sequential++ % blocks;
        try {
          io(block);
        } catch (err) {
          totals.errors++;
          log('io', `${mode} failed: ${(err as Error).message}`);
          await sleepMs(100);
        }
      }
      const waitMs =
        rateBytesPerSec > 0
          ? t0Ms + (totals.bytes * 1000) / rateBytesPerSec - performance.now()
          : intensity < 100
            ? SLICE_MS - ((performance.now() - t0Ms) % SLICE_MS)
            : 0;
      if (waitMs > 0) await sleepMs(waitMs);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  };

  emitReady('io', { mode, direct, sync: dsync, blockBytes, fileBytes, rateBytesPerSec, intensity, file });
  const running = loop();
  const reason = await stop.wait(durationMs);
  stopping = true;
  await running;
  if (!reading && !dsync && !direct) fsyncSync(fd); // so bytes counted as written are on disk
  closeSync(fd);
  if (created && !flag(v, 'keep')) unlinkSync(file);
  const elapsedMs = performance.now() - t0Ms;
  emitMetrics('io', {
    stopReason: reason,
    mode,
    direct,
    sync: dsync,
    blockBytes,
    intensity,
    rateBytesPerSec,
    ops: totals.ops,
    errors: totals.errors,
    [reading ? 'bytesRead' : 'bytesWritten']: totals.bytes,
    elapsedMs: Math.round(elapsedMs),
    throughputBytesPerSec: elapsedMs > 0 ? (totals.bytes * 1000) / elapsedMs : 0,
    opLatencyUs: latencyReportUs(opLatencyUs),
  });
  return 0;
}
