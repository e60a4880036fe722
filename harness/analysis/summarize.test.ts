import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import type { TrialContainer, TrialMetrics, TrialRecord } from '../results/types.js';
import { summarizeCells } from './summarize.js';

const phases: { name: string; kind: 'solo' | 'colocated'; containers: string[] }[] = [
  { name: 'web-solo', kind: 'solo', containers: ['web'] },
  { name: 'colocated', kind: 'colocated', containers: ['web', 'db'] },
];
const cells = [{ id: 'c1', name: 'base', settings: { 'web.cpu.weight': 100 } }];

function encoded(valuesUs: number[]): string {
  const h = hdr.build({ numberOfSignificantValueDigits: 3 });
  for (const v of valuesUs) h.recordValue(v);
  return hdr.encodeIntoCompressedBase64(h);
}

function container(name: string, metrics: TrialMetrics, histogram?: string): TrialContainer {
  return {
    name,
    workload: name,
    limits: { requested: {}, applied: {} },
    cgroupPath: `/x/${name}`,
    exit: null,
    ready: null,
    final: null,
    load: null,
    metrics,
    histograms: histogram ? { latencyUs: histogram } : {},
    cgroup: {
      cpuUsageUs: 1000,
      cpuThrottledUs: null,
      memoryPeakBytes: 4096,
      oomKills: 0,
      ioReadBytes: null,
      ioWriteBytes: null,
      ioReadOps: null,
      ioWriteOps: null,
      pidsPeak: 3,
      psi: { cpu: { someTotalUs: 50, fullTotalUs: null }, memory: null, io: null },
    },
  };
}

let index = 0;
function trial(
  phase: (typeof phases)[number],
  rep: number,
  containers: TrialContainer[],
  failed?: string,
): TrialRecord {
  const base = {
    id: `c1-${phase.name}-r${rep}`,
    index: index++,
    repetition: rep,
    cell: cells[0] as (typeof cells)[number],
    phase,
    startedAt: '2026-01-01T00:00:00Z',
    durationMs: 1000,
    foreignCpuUs: null,
    containers,
  };
  return failed
    ? { ...base, status: 'failed', reason: failed, failedContainer: 'db' }
    : { ...base, status: 'ok' };
}

const solo = phases[0] as (typeof phases)[number];
const co = phases[1] as (typeof phases)[number];
// Six trials a side: below 6 no order-statistic or signed-rank 95% interval exists.
const soloP99 = [990, 1000, 1010, 1005, 995, 1000];
const coP99 = [2970, 3000, 3030, 3015, 2985, 3000];

function trials(): TrialRecord[] {
  index = 0;
  return [
    ...soloP99.map((v, i) =>
      trial(solo, i + 1, [
        container('web', { latencyP99Us: v, throughputRps: 1000 }, encoded(Array(1000).fill(100))),
      ]),
    ),
    ...coP99.map((v, i) =>
      trial(co, i + 1, [
        container('web', { latencyP99Us: v, throughputRps: 500 }, encoded(Array(1000).fill(300))),
        container('db', { commitP99Us: 5000 + i, txnPerSec: 100 }),
      ]),
    ),
    // A failed colocated trial whose values would wreck the estimates if they were used.
    trial(
      co,
      7,
      [container('web', { latencyP99Us: 1e9, throughputRps: 1 }, encoded([1e6]))],
      'db was OOM killed',
    ),
  ];
}

describe('summarizeCells', () => {
  const [cell] = summarizeCells({ cells, phases, trials: trials() });
  const web = cell?.containers.web;
  const db = cell?.containers.db;

  it('counts trials and failures per phase, and lists each failure with its reason', () => {
    expect(cell).toMatchObject({ id: 'c1', name: 'base', settings: { 'web.cpu.weight': 100 } });
    expect(web?.solo).toMatchObject({ phase: 'web-solo', trials: 6, failed: 0, failures: [] });
    expect(web?.colocated).toMatchObject({
      phase: 'colocated',
      trials: 7,
      failed: 1,
      failures: [{ trial: 'c1-colocated-r7', reason: 'db was OOM killed' }],
    });
  });

  it('estimates from ok trials only: medians with intervals around them', () => {
    expect(web?.colocated?.metrics.latencyP99Us).toMatchObject({ median: 3000, n: 6 });
    const e = web?.colocated?.metrics.latencyP99Us;
    // 6 values: the order-statistic interval is [min, max] (coverage 1 - 2/64 = 96.9%).
    expect(e?.low).toBe(2970);
    expect(e?.high).toBe(3030);
    expect(web?.solo?.metrics.throughputRps).toMatchObject({ median: 1000, low: 1000, high: 1000, n: 6 });
    // Metrics no trial reported are absent, not zero.
    expect(web?.solo?.metrics.commitP99Us).toBeUndefined();
  });

  it('gives slowdown = colocated / solo with an interval containing the true ratio', () => {
    const s = web?.slowdown?.latencyP99Us;
    expect(s?.median).toBeCloseTo(3, 10);
    expect(s?.low).toBeLessThanOrEqual(3);
    expect(s?.high).toBeGreaterThanOrEqual(3);
    expect(s?.low).toBeGreaterThan(2.9);
    expect(s?.high).toBeLessThan(3.1);
    // Blocks: repetitions 1-6 have both phases ok; the failed repetition 7 has no pair.
    expect(s?.n).toBe(6);
    expect(web?.slowdown?.throughputRps?.median).toBeCloseTo(0.5, 12);
  });

  it('computes slowdown within repetition blocks, so drift shared by a block cancels', () => {
    // Each repetition runs 1x to 3x slower as a whole (machine drift); co-located is always 2x
    // its own block's solo. Pooled medians would give an interval as wide as the drift.
    index = 0;
    const drift = [1, 3, 1.5, 2.5, 1.2, 2.8, 1.1, 2.2];
    const all = drift.flatMap((f, i) => [
      trial(solo, i + 1, [container('web', { latencyP99Us: 1000 * f })]),
      trial(co, i + 1, [container('web', { latencyP99Us: 2000 * f }), container('db', {})]),
    ]);
    const [c] = summarizeCells({ cells, phases, trials: all });
    const s = c?.containers.web?.slowdown?.latencyP99Us;
    expect(s?.median).toBeCloseTo(2, 10);
    expect(s?.low).toBeCloseTo(2, 10);
    expect(s?.high).toBeCloseTo(2, 10);
    expect(s?.n).toBe(8);
    // The phase medians themselves carry the drift: their intervals are wide.
    const soloE = c?.containers.web?.solo?.metrics.latencyP99Us;
    expect((soloE?.high ?? 0) / (soloE?.low ?? 1)).toBeGreaterThan(2);
  });

  it('records the fewest samples beyond a tail percentile, for the thin-tail flag', () => {
    index = 0;
    const load = (count: number) => ({ latencyUs: { count } });
    const all = [1, 2, 3, 4, 5, 6].flatMap((rep) => [
      trial(solo, rep, [
        { ...container('web', { latencyP99Us: 1000, latencyP50Us: 500 }), load: load(20_000) },
      ]),
      trial(co, rep, [
        {
          ...container('web', { latencyP99Us: 2000, latencyP50Us: 900 }),
          load: load(rep === 3 ? 4000 : 20_000),
        },
        container('db', {}),
      ]),
    ]);
    const [c] = summarizeCells({ cells, phases, trials: all });
    expect(c?.containers.web?.solo?.metrics.latencyP99Us?.tailSamples).toBe(200);
    // One co-located trial had 4,000 requests: 40 beyond its p99.
    expect(c?.containers.web?.colocated?.metrics.latencyP99Us?.tailSamples).toBe(40);
    expect(c?.containers.web?.slowdown?.latencyP99Us?.tailSamples).toBe(40);
    // p50 is no tail percentile.
    expect(c?.containers.web?.solo?.metrics.latencyP50Us?.tailSamples).toBeUndefined();
  });

  it('has no slowdown for a container without a solo phase', () => {
    expect(db?.solo).toBeNull();
    expect(db?.colocated?.metrics.commitP99Us).toMatchObject({ median: 5002.5, n: 6 });
    expect(db?.slowdown).toBeNull();
  });

  it('reads percentiles from the merged histograms of ok trials', () => {
    expect(web?.solo?.merged.latencyUs).toMatchObject({ count: 6000, p50Us: 100, p99Us: 100, maxUs: 100 });
    const m = web?.colocated?.merged.latencyUs;
    expect(m?.count).toBe(6000);
    expect(m?.p999Us).toBeGreaterThanOrEqual(299);
    expect(m?.p999Us).toBeLessThanOrEqual(301);
    expect(db?.colocated?.merged.latencyUs).toBeUndefined();
  });

  it('estimates cgroup figures with psi flattened, leaving out figures never measured', () => {
    expect(web?.solo?.cgroup.cpuUsageUs).toMatchObject({ median: 1000, n: 6 });
    expect(web?.solo?.cgroup.psiCpuSomeUs).toMatchObject({ median: 50, n: 6 });
    expect(web?.solo?.cgroup.psiCpuFullUs).toBeUndefined();
    expect(web?.solo?.cgroup.ioReadBytes).toBeUndefined();
  });

  it('is deterministic (exact intervals, no resampling)', () => {
    const again = summarizeCells({ cells, phases, trials: trials() });
    expect(again).toEqual(summarizeCells({ cells, phases, trials: trials() }));
    expect(again[0]?.containers.web?.slowdown).toEqual(web?.slowdown);
  });

  it('gives no interval below 6 trials: [min, max] of 5 covers only 93.75%', () => {
    index = 0;
    const five = [1, 2, 3, 4, 5].flatMap((rep) => [
      trial(solo, rep, [container('web', { latencyP99Us: 1000 + rep })]),
      trial(co, rep, [container('web', { latencyP99Us: 3000 + rep }), container('db', {})]),
    ]);
    const [c] = summarizeCells({ cells, phases, trials: five });
    expect(c?.containers.web?.solo?.metrics.latencyP99Us).toEqual({
      median: 1003,
      low: null,
      high: null,
      n: 5,
    });
    expect(c?.containers.web?.slowdown?.latencyP99Us).toMatchObject({ low: null, high: null, n: 5 });
  });

  it('has no estimates for a phase whose trials all failed, and no interval from one trial', () => {
    index = 0;
    const only = [
      trial(solo, 1, [container('web', { latencyP99Us: 1000 })]),
      trial(co, 1, [container('web', { latencyP99Us: 3000 })], 'boom'),
    ];
    const [c] = summarizeCells({ cells, phases, trials: only });
    expect(c?.containers.web?.solo?.metrics.latencyP99Us).toEqual({
      median: 1000,
      low: null,
      high: null,
      n: 1,
    });
    expect(c?.containers.web?.colocated).toMatchObject({ trials: 1, failed: 1, metrics: {} });
    expect(c?.containers.web?.slowdown).toEqual({});
  });
});

describe('one victim against several neighbours (Isolation Benchmark Suite matrix)', () => {
  it('gives one neighbours entry per co-located phase, each with its own slowdown', () => {
    const ibsPhases: { name: string; kind: 'solo' | 'colocated'; containers: string[] }[] = [
      { name: 'solo-web', kind: 'solo', containers: ['web'] },
      { name: 'with-cpu', kind: 'colocated', containers: ['web', 'cpu'] },
      { name: 'with-io', kind: 'colocated', containers: ['web', 'io'] },
    ];
    const [soloP, cpuP, ioP] = ibsPhases as [
      (typeof ibsPhases)[number],
      (typeof ibsPhases)[number],
      (typeof ibsPhases)[number],
    ];
    index = 0;
    const all: TrialRecord[] = [];
    for (let rep = 1; rep <= 5; rep++) {
      all.push(trial(soloP, rep, [container('web', { latencyP99Us: 1000 + rep })]));
      all.push(trial(cpuP, rep, [container('web', { latencyP99Us: 4000 + rep }), container('cpu', {})]));
      all.push(trial(ioP, rep, [container('web', { latencyP99Us: 1500 + rep }), container('io', {})]));
    }
    const [cell] = summarizeCells({ cells, phases: ibsPhases, trials: all });
    const web = cell?.containers.web;
    expect(web?.neighbours.map((n) => [n.phase, n.with])).toEqual([
      ['with-cpu', ['cpu']],
      ['with-io', ['io']],
    ]);
    expect(web?.neighbours[0]?.slowdown?.latencyP99Us?.median).toBeCloseTo(4003 / 1003, 2);
    expect(web?.neighbours[1]?.slowdown?.latencyP99Us?.median).toBeCloseTo(1503 / 1003, 2);
    // The first neighbour is also the container's `colocated` / `slowdown`.
    expect(web?.slowdown?.latencyP99Us?.median).toBe(web?.neighbours[0]?.slowdown?.latencyP99Us?.median);
    expect(cell?.containers.cpu?.neighbours.map((n) => n.with)).toEqual([['web']]);
  });
});
