/**
 * `bench --baseline`: a ratio to its peer is WORSE only beyond both the floor and the two runs'
 * own spread. Synthetic bench.json files: the judgement is arithmetic on recorded figures.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compareBench,
  FLOOR,
  formatComparison,
  judgeChange,
  NOISE_SPREADS,
  ratioSpread,
  readBenchFile,
  relativeSpread,
} from './baseline.js';
import { STEAL_LIMIT_CORES, withSteal } from './steal.js';
import type { BenchFile, BenchResult, BenchUnit } from './types.js';

type OkResult = Extract<BenchResult, { status: 'ok' }>;

function result(
  name: string,
  unit: BenchUnit,
  ours: [number, number | null | undefined],
  peer: [number, number | null | undefined],
): BenchResult {
  const m = (n: string, [median, mad]: [number, number | null | undefined]) => ({
    name: n,
    unit,
    median,
    p99: null,
    samples: 30,
    ...(mad === undefined ? {} : { mad }),
  });
  return {
    status: 'ok',
    name,
    description: name,
    ours: m('ours', ours),
    peers: [{ status: 'ok', ...m('peer', peer) }],
    ratios: { peer: ours[0] / peer[0] },
    goals: [],
    figures: {},
    notes: [],
  };
}

function file(...benchmarks: BenchResult[]): BenchFile {
  return {
    schema: 'isobench-bench/1',
    createdAt: '2026-12-01T00:00:00.000Z',
    host: {} as BenchFile['host'],
    loadAverage: { start: 0, end: 0 },
    options: { iterations: 30, only: [] },
    benchmarks,
  };
}

describe('spread', () => {
  it('is the MAD scaled to a standard deviation, relative to the median', () => {
    expect(relativeSpread({ median: 100, mad: 10 })).toBeCloseTo(0.14826, 5);
    expect(relativeSpread({ median: 100, mad: null })).toBeNull();
    expect(relativeSpread({ median: 100 })).toBeNull();
    expect(relativeSpread({ median: 0, mad: 1 })).toBeNull();
  });

  it("of a ratio adds ours and the peer's in quadrature", () => {
    // 1.4826 x 30/100 and 1.4826 x 40/100: a 3-4-5 triangle.
    expect(ratioSpread({ median: 100, mad: 30 }, { median: 100, mad: 40 })).toBeCloseTo(1.4826 * 0.5, 6);
    expect(ratioSpread({ median: 100, mad: 30 }, { median: 100, mad: null })).toBeNull();
  });
});

describe('judgeChange', () => {
  it('tolerates the floor when both runs are steady', () => {
    expect(judgeChange(1 + FLOOR - 0.01, 0.01, 0.01)).toMatchObject({ worse: false, tolerated: 1 + FLOOR });
    expect(judgeChange(1 + FLOOR + 0.01, 0.01, 0.01).worse).toBe(true);
  });

  it("tolerates NOISE_SPREADS x the runs' spread when it exceeds the floor", () => {
    // Spreads 0.3 and 0.4: noise 0.5, so up to 1 + 2 x 0.5 = 2x is noise.
    const j = judgeChange(1.9, 0.3, 0.4);
    expect(j.noise).toBeCloseTo(0.5, 9);
    expect(j.tolerated).toBeCloseTo(1 + NOISE_SPREADS * 0.5, 9);
    expect(j.worse).toBe(false);
    expect(judgeChange(2.1, 0.3, 0.4).worse).toBe(true);
  });

  it('falls back to the floor when a run recorded no spread', () => {
    expect(judgeChange(1.5, null, 0.4)).toEqual({ noise: null, tolerated: 1 + FLOOR, worse: true });
  });
});

describe('compareBench', () => {
  it('calls a 30% slower ratio worse with steady samples, and noise with scattered ones', () => {
    // The same 30% change of the ratio: ours 100 -> 130 ms against a peer of 10 ms in both runs.
    const steady = compareBench(
      file(result('container', 'ms', [100, 1], [10, 0.1])),
      file(result('container', 'ms', [130, 1], [10, 0.1])),
    );
    expect(steady).toEqual([
      expect.objectContaining({ name: 'container', peer: 'peer', baseRatio: 10, currentRatio: 13 }),
    ]);
    expect(steady[0]?.change).toBeCloseTo(1.3, 9);
    expect(steady[0]?.worse).toBe(true);
    // MADs of 15% of the median in every measurement: each ratio spreads 31%, the change 44%.
    const noisy = compareBench(
      file(result('container', 'ms', [100, 15], [10, 1.5])),
      file(result('container', 'ms', [130, 19.5], [10, 1.5])),
    );
    expect(noisy[0]?.noise).toBeCloseTo(
      Math.hypot(1.4826 * 0.15 * Math.SQRT2, 1.4826 * 0.15 * Math.SQRT2),
      6,
    );
    expect(noisy[0]?.worse).toBe(false);
  });

  it('turns the change for a figure that is better higher (req/s)', () => {
    const rows = compareBench(
      file(result('load-ceiling', 'req/s', [10_000, null], [20_000, null])),
      file(result('load-ceiling', 'req/s', [7_000, null], [20_000, null])),
    );
    expect(rows[0]?.change).toBeCloseTo(10 / 7, 9);
    expect(rows[0]).toMatchObject({ noise: null, tolerated: 1 + FLOOR, worse: true });
    const better = compareBench(
      file(result('load-ceiling', 'req/s', [10_000, null], [20_000, null])),
      file(result('load-ceiling', 'req/s', [14_000, null], [20_000, null])),
    );
    expect(better[0]?.worse).toBe(false);
  });

  it('judges an older bench.json (no mad) by the floor alone, and skips benchmarks only one run has', () => {
    const rows = compareBench(
      file(result('startup', 'ms', [300, undefined], [150, undefined])),
      file(result('startup', 'ms', [330, 3], [150, 2]), result('trial', 'ms', [400, 9], [300, 9])),
    );
    expect(rows.map((r) => r.name)).toEqual(['startup']);
    expect(rows[0]).toMatchObject({ noise: null, worse: false });
  });

  it('shows and does not judge a row either run took under steal beyond the limit', () => {
    const stolen = (r: BenchResult, stealCores: number) => withSteal(r as OkResult, stealCores);
    // The same 30% change that is WORSE on a quiet host (above).
    const rows = compareBench(
      file(stolen(result('container', 'ms', [100, 1], [10, 0.1]), 0.02)),
      file(stolen(result('container', 'ms', [130, 1], [10, 0.1]), 0.35)),
    );
    expect(rows[0]).toMatchObject({ worse: false, underSteal: 0.35 });
    expect(rows[0]?.change).toBeCloseTo(1.3, 9);
    expect(formatComparison(rows)).toContain(
      `not judged: steal of 0.35 cores in a run (over ${STEAL_LIMIT_CORES})`,
    );
    // Under the limit on both sides the verdict stands, and no note is added.
    const quiet = stolen(result('container', 'ms', [130, 1], [10, 0.1]), 0.05);
    expect(quiet.status === 'ok' && quiet.notes).toEqual([]);
    const judged = compareBench(file(result('container', 'ms', [100, 1], [10, 0.1])), file(quiet));
    expect(judged[0]).toMatchObject({ worse: true, underSteal: null });
  });

  it('prints the verdict with what was tolerated and why', () => {
    const text = formatComparison(
      compareBench(
        file(result('container', 'ms', [100, 1], [10, 0.1])),
        file(result('container', 'ms', [130, 1], [10, 0.1])),
      ),
    );
    expect(text).toContain('WORSE: 30% worse, tolerated 20% (floor 20%, 2 x spread 3%)');
  });
});

describe('readBenchFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'isobench-baseline-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses what is not a bench.json, quoting the path', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schema":"other"}');
    expect(() => readBenchFile(bad)).toThrow(/--baseline ".*bad\.json": not a bench\.json/);
    const ok = join(dir, 'ok.json');
    writeFileSync(ok, JSON.stringify(file()));
    expect(readBenchFile(ok).benchmarks).toEqual([]);
  });
});
