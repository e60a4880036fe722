import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { UsageError } from '../../harness/errors.js';
import { WEB_PARAMS } from '../catalog.js';
import { latencyReportUs, newLatencyHistogramUs, recordMs } from '../histogram.js';
import { choiceParam, durationParam, intParam, parseParams, sizeParam, str } from '../params.js';
import { emitListening, emitMetrics, emitReady, listenForStop, log, memoryFigures } from '../protocol.js';
import { listenOn } from './listen.js';
import { HeapWorkingSet, PAGE_BYTES, PageCacheWorkingSet, type WorkingSet } from './working-set.js';

const W = 'workload web';

export async function webMain(argv: string[]): Promise<number> {
  const v = parseParams(W, argv, WEB_PARAMS);
  const port = intParam(W, v, 'port', 0, 65535);
  const host = str(v, 'host') ?? '127.0.0.1';
  const workingSetBytes = sizeParam(W, v, 'working-set');
  const mode = choiceParam(W, v, 'mode', ['heap', 'pagecache'] as const);
  const touchPages = Math.ceil(sizeParam(W, v, 'touch-bytes') / PAGE_BYTES);
  const responseBytes = sizeParam(W, v, 'response-bytes');
  const cpuUs = intParam(W, v, 'cpu-us', 0, 10_000_000);
  const durationMs = durationParam(W, v, 'duration');
  const stop = listenForStop();
  const dataFile = str(v, 'data-file');
  if (mode === 'pagecache' && !dataFile) {
    throw new UsageError('ISOBENCH_MISSING_PARAM', `${W}: --mode pagecache needs --data-file PATH`);
  }

  // Listen before the working set is built (seconds for a few GiB): a busy port is reported
  // at once. Nothing connects before the ready line; the handler is attached just before it.
  const server = createServer({ keepAliveTimeout: 60_000 });
  const address = await listenOn(server, port, host, W);
  emitListening('web', address.port);

  log('web', `preparing ${mode} working set of ${workingSetBytes} bytes`);
  const workingSet: WorkingSet =
    mode === 'heap'
      ? new HeapWorkingSet(workingSetBytes)
      : new PageCacheWorkingSet(dataFile ?? '', workingSetBytes);
  const body = Buffer.alloc(responseBytes, 0x61);
  const serviceTimeUs = newLatencyHistogramUs();
  let requests = 0;
  let checksum = 0;

  const handle = (_req: IncomingMessage, res: ServerResponse) => {
    const startMs = performance.now();
    checksum = (checksum + workingSet.touchPages(touchPages)) | 0;
    if (cpuUs > 0) spinUs(cpuUs);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
    recordMs(serviceTimeUs, performance.now() - startMs);
    requests++;
  };

  server.on('request', handle);
  let startedMs = performance.now();
  stop.onMark(() => {
    serviceTimeUs.reset();
    requests = 0;
    startedMs = performance.now();
  });
  emitReady('web', {
    port: address.port,
    host: address.address,
    mode,
    workingSetBytes: workingSet.bytes,
    ...memoryFigures(),
  });

  const reason = await stop.wait(durationMs);
  const elapsedMs = performance.now() - startedMs;
  server.close();
  server.closeAllConnections();
  const memory = memoryFigures();
  workingSet.close();
  emitMetrics('web', {
    stopReason: reason,
    requests,
    elapsedMs: Math.round(elapsedMs),
    requestRateHz: elapsedMs > 0 ? (requests * 1000) / elapsedMs : 0,
    mode,
    workingSetBytes: workingSet.bytes,
    touchBytesPerRequest: touchPages * PAGE_BYTES,
    serviceTimeUs: latencyReportUs(serviceTimeUs),
    checksum,
    ...memory,
  });
  return 0;
}

/** Busy work that cannot be skipped: the point is to consume CPU time (and cpu.max quota). */
function spinUs(us: number): void {
  const end = process.hrtime.bigint() + BigInt(us) * 1000n;
  while (process.hrtime.bigint() < end) {
    // spin
  }
}
