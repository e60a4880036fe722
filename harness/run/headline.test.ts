import { describe, expect, it } from 'vitest';
import { exampleResults } from '../results/example.js';
import { headline, headlineJson, headlineRows, headlineWarnings } from './headline.js';

describe('the run headline', () => {
  it('shows latency, what the open loop revealed and the database figures; no open-loop throughput', () => {
    const rows = headlineRows(exampleResults(10).cells);
    const metrics = new Set(rows.map((r) => r.metric));
    expect(metrics).toEqual(
      new Set([
        'latencyP50Us',
        'latencyP99Us',
        'goodputFraction',
        'errorFraction',
        'timeoutFraction',
        'lateSendFraction',
        'commitP50Us',
        'commitP99Us',
        'txnPerSec',
      ]),
    );
    const p99 = rows.find(
      (r) => r.cell === 'cpu.weight=100' && r.container === 'web' && r.metric === 'latencyP99Us',
    );
    expect(p99?.slowdown?.low).not.toBeNull();
    expect(p99?.n).toBe(10);
  });

  it('flags a thin tail and warns when figures rest on fewer than 6 trials', () => {
    const r = exampleResults(3);
    const web = r.cells[0]?.containers.web;
    if (web?.colocated?.metrics.latencyP99Us) web.colocated.metrics.latencyP99Us.tailSamples = 20;
    const text = headline('/out', r);
    expect(text).toMatch(/latencyP99Us .* thin tail: as few as 20 values beyond it in a trial \(< 100\)/);
    expect(text).toMatch(/\[no interval\]/);
    expect(headlineWarnings(r)[0]).toMatch(
      /^warning: \d+ figures rest on fewer than 6 trials \(as few as 2\)/,
    );
    expect(headlineWarnings(exampleResults(10))).toEqual([]);
    expect(headlineJson('/out', r).warnings).toHaveLength(1);
  });

  it('says how a sequential run stopped, look by look', () => {
    const r = exampleResults(10);
    r.sequential = {
      rule: {
        kind: 'precision',
        precision: 0.05,
        minRepetitions: 8,
        maxRepetitions: 10,
        timeBudgetMs: null,
        alpha: null,
        equivalenceAlpha: null,
        thresholdPct: null,
        spending: null,
        text: 'rule',
      },
      looks: [8, 9, 10].map((repetitions) => ({
        repetitions,
        trials: repetitions * 6,
        elapsedMs: repetitions * 1000,
        fraction: repetitions / 10,
        nominalAlpha: null,
        nominalEquivalenceAlpha: null,
        widest: { figure: 'c1 web latencyP50Us slowdown colocated', halfWidth: 0.2 / repetitions },
        comparisons: [],
        decision: repetitions === 10 ? ('stop' as const) : ('continue' as const),
      })),
      stop: {
        reason: 'max-repetitions',
        repetitions: 10,
        targetReached: false,
        text: 'target not reached: ...',
      },
    };
    const text = headline('/out', r);
    expect(text).toMatch(/^sequential: target not reached: \.\.\.$/m);
    expect(text).toMatch(
      /^ {2}look 3 after 10 blocks: widest ±2\.0% \(c1 web latencyP50Us slowdown colocated\); stop$/m,
    );
  });
});
