import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeHistogram } from '../histogram.js';
import { runLoad } from '../load/run.js';
import { ensureBuilt, procIo, startWorkload, statusBytes } from '../test/helpers.js';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'isobench-web-'));

beforeAll(() => ensureBuilt());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rssAtReady(workingSet: string): Promise<number> {
  const web = startWorkload('web', ['--working-set', workingSet]);
  await web.ready;
  const rss = statusBytes(web.pid, 'VmRSS');
  const { code } = await web.stop();
  expect(code).toBe(0);
  return rss;
}

describe('web workload', () => {
  it('heap mode: RSS at ready grows with the working set (every page is written before ready)', async () => {
    const small = await rssAtReady('32MiB');
    const large = await rssAtReady('160MiB');
    expect(large - small).toBeGreaterThanOrEqual(115 * MiB); // 128 MiB more, minus slack
  });

  it('pagecache mode: fills the data file, reads it with pread per request, reports what it served', async () => {
    const file = join(dir, 'ws.dat');
    const web = startWorkload('web', [
      '--mode',
      'pagecache',
      '--data-file',
      file,
      '--working-set',
      '16MiB',
      '--touch-bytes',
      '64KiB',
    ]);
    const ready = await web.ready;
    expect(statSync(file).size).toBe(16 * MiB);
    const before = procIo(web.pid);
    const r = await runLoad({ url: `http://127.0.0.1:${ready.port}/`, rateHz: 100, durationMs: 500 });
    const after = procIo(web.pid);
    const { metrics, code } = await web.stop();
    expect(code).toBe(0);
    expect(r.completed).toBe(50);
    expect(metrics.requests).toBe(50);
    // 16 pages of 4 KiB per request, each a pread: rchar counts them.
    expect((after.rchar ?? 0) - (before.rchar ?? 0)).toBeGreaterThanOrEqual(50 * 64 * 1024);
    const service = metrics.serviceTimeUs as { count: number; histogram: string };
    expect(service.count).toBe(50);
    expect(decodeHistogram(service.histogram).totalCount).toBe(50);
  });

  it("SIGUSR2 (the runner's end-of-warmup mark) restarts its figures: only later requests count", async () => {
    const web = startWorkload('web', ['--working-set', '8MiB']);
    const ready = await web.ready;
    const url = `http://127.0.0.1:${ready.port}/`;
    const warm = await runLoad({ url, rateHz: 100, durationMs: 300 });
    expect(warm.completed).toBe(30);
    process.kill(web.pid, 'SIGUSR2');
    const measured = await runLoad({ url, rateHz: 100, durationMs: 200 });
    const { metrics, code } = await web.stop();
    expect(code).toBe(0);
    expect(measured.completed).toBe(20);
    expect(metrics.requests).toBe(20);
    expect((metrics.serviceTimeUs as { count: number }).count).toBe(20);
  });
});
