/**
 * report.html of a tune from tune.json alone: the SLO line on each knob's chart, every point
 * drawn by verdict, the feasible region for two knobs and the recommendation ring.
 */
import { describe, expect, it } from 'vitest';
import { exampleResults } from '../harness/results/example.js';
import { type TuneFile, tuneFileSchema } from '../harness/tune/record.js';
import { renderTuneHtml } from './tune.js';

const MiB = 1024 ** 2;

function point(
  index: number,
  values: [number, number],
  verdict: 'meets' | 'violates' | 'unsettled',
  median: number,
) {
  return {
    index,
    role: index === 1 ? ('loosest' as const) : index === 2 ? ('tightest' as const) : ('bisect' as const),
    knob: index > 2 ? 0 : null,
    cycle: index > 2 ? 1 : 0,
    values,
    formatted: [String(values[0]), `${values[1] / MiB}MiB`],
    verdict,
    stoppedBy: verdict === 'unsettled' ? ('max-trials' as const) : ('settled' as const),
    trials: 6,
    failed: 0,
    invalid: 0,
    samples: [median * 0.9, median, median * 1.1, median, median * 0.95, median * 1.05],
    estimate: { median, low: median * 0.9, high: median * 1.1, level: 0.967 },
    looks: [],
    applied: { db: { 'cpu.weight': `${values[0]} (cpu.shares: 1024)` } },
    elapsedMs: 30_000,
    dir: `points/0${index}`,
  };
}

function tune(): TuneFile {
  return tuneFileSchema.parse({
    schemaVersion: 1,
    tuneId: 'abc',
    status: 'complete',
    startedAt: '2026-12-01T18:00:00Z',
    finishedAt: '2026-12-01T18:10:00Z',
    command: ['isobench', 'tune'],
    host: exampleResults().host,
    scenario: {
      name: 'web-vs-db',
      file: 's.yaml',
      text: 'name: web-vs-db',
      phase: 'colocated',
      containers: ['web', 'db'],
      cell: null,
      set: [],
    },
    victim: 'web',
    slo: { metric: 'latencyP99Us', op: '<=', threshold: 20_000, text: 'latencyP99Us<=20ms' },
    knobs: [
      {
        path: 'containers.db.limits.cpu.weight',
        label: 'db.cpu.weight',
        text: 'x',
        unit: 'number',
        tight: 10,
        loose: 1000,
        scale: 'geometric',
        looserRule: 'higher is looser',
      },
      {
        path: 'containers.db.limits.io.max.wbps',
        label: 'db.io.max.wbps',
        text: 'y',
        unit: 'bytes',
        tight: MiB,
        loose: 200 * MiB,
        scale: 'geometric',
        looserRule: 'higher is looser',
      },
    ],
    rule: { alpha: 0.05, minTrials: 5, maxTrials: 12, resolution: 0.1, budgetMs: null, text: 'rule' },
    points: [
      point(1, [1000, 200 * MiB], 'violates', 90_000),
      point(2, [10, MiB], 'meets', 8_000),
      point(3, [100, MiB], 'unsettled', 19_000),
    ],
    outcome: {
      status: 'found',
      recommendation: {
        values: [10, MiB],
        formatted: ['10', '1MiB'],
        set: ['containers.db.limits.cpu.weight=10', 'containers.db.limits.io.max.wbps=1MiB'],
        point: 2,
      },
      brackets: [
        { meets: 10, fails: 100, withinResolution: false },
        { meets: MiB, fails: 200 * MiB, withinResolution: false },
      ],
      cycles: 1,
      text: 'the loosest settings that meet latencyP99Us <= 20.0 ms: db.cpu.weight=10, db.io.max.wbps=1MiB',
    },
    elapsedMs: 600_000,
  });
}

describe('renderTuneHtml', () => {
  const page = renderTuneHtml(tune());

  it('one SLO line per knob chart, every point in each chart by verdict, the recommendation', () => {
    expect(page.match(/<line class="slo"/g)?.length).toBe(2);
    expect(page.match(/<g class="point violates"/g)?.length).toBe(3); // 2 knob charts + the plane
    expect(page.match(/<g class="point meets"/g)?.length).toBe(3);
    expect(page.match(/<g class="point unsettled"/g)?.length).toBe(3);
    expect(page).toContain('SLO latencyP99Us &lt;= 20.0 ms');
    expect(page).toContain(
      '--set containers.db.limits.cpu.weight=10 --set containers.db.limits.io.max.wbps=1MiB',
    );
  });

  it('two knobs: the feasible region (one box per point) and the ring on the recommendation', () => {
    expect(page).toContain('<h2>Feasible region</h2>');
    expect(page.match(/<circle class="recommendation"/g)?.length).toBe(1);
    expect(page.match(/fill="#1a7f37" opacity="0.18"/g)?.length).toBe(1); // one point met
    expect(page.match(/fill="#cf222e" opacity="0.18"/g)?.length).toBe(2); // violates + unsettled
  });

  it('is a self-contained page without scripts', () => {
    expect(page).toMatch(/Content-Security-Policy" content="default-src (&#39;|&#x27;|')none/);
    expect(page).not.toContain('<script');
  });
});
