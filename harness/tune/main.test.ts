/**
 * What `isobench tune` checks before anything is created: each bad flag is refused naming the
 * flag and quoting the value, with its code; a good command line gives the session the points
 * share (the phase with the victim, the knobs' ends validated like a run). No root needed.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../testing/support.js';
import { bisectionSteps, prepareTune, type TuneOptions } from './main.js';

const FILE = join(ROOT, 'scenarios/web-vs-db.yaml');
const good: TuneOptions = {
  victim: 'web',
  slo: 'latencyP99Us<=20ms',
  knob: ['containers.db.limits.io.max.wbps=1MiB..200MiB', 'containers.db.limits.cpu.weight=10..1000'],
};

async function refusal(
  o: Partial<TuneOptions>,
): Promise<{ code: string; message: string; exitCode: number }> {
  try {
    await prepareTune(FILE, { ...good, ...o });
  } catch (err) {
    return err as { code: string; message: string; exitCode: number };
  }
  throw new Error('not refused');
}

describe('prepareTune', () => {
  it('a good command line: the co-located phase with the victim, both knobs, the defaults', async () => {
    const { session, resolution, budgetMs, maxPoints } = await prepareTune(FILE, { ...good, budget: '12m' });
    expect(session.phase).toMatchObject({ name: 'colocated', containers: ['web', 'db'] });
    expect(session.knobs.map((k) => [k.path, k.tight, k.loose])).toEqual([
      ['containers.db.limits.io.max.wbps', 1024 ** 2, 200 * 1024 ** 2],
      ['containers.db.limits.cpu.weight', 10, 1000],
    ]);
    expect(session.rule).toEqual({ alpha: 0.05, minTrials: 5, maxTrials: 12 });
    expect([resolution, budgetMs, maxPoints]).toEqual([0.1, 720_000, null]);
    // 1MiB..200MiB at 10%: 56 steps, 6 halvings; 10..1000: 49 steps, 6 halvings.
    expect(session.knobs.map((k) => bisectionSteps(k, resolution))).toEqual([6, 6]);
  });

  it('each bad flag: its code, the flag named, the value quoted, exit 2', async () => {
    const cases: [Partial<TuneOptions>, string, RegExp][] = [
      [{ victim: undefined }, 'ISOBENCH_TUNE_OPTION', /^--victim: required/],
      [
        { victim: 'wbe' },
        'ISOBENCH_TUNE_VICTIM',
        /^--victim: no container "wbe" in web-vs-db \(have web, db\)/,
      ],
      [
        { victim: 'db' },
        'ISOBENCH_TUNE_VICTIM',
        /^--slo latencyP99Us<=20ms: latencyP99Us is measured by the load generator, and db is not driven by one/,
      ],
      [{ slo: 'p99<=lots' }, 'ISOBENCH_BAD_SLO', /^--slo: .*got "p99<=lots"/],
      [
        { knob: ['containers.db.limits.io.max.wbpz=1MiB..2MiB'] },
        'ISOBENCH_BAD_KNOB',
        /^--knob "containers.db.limits.io.max.wbpz=1MiB..2MiB" at 1MiB: .*containers.db.limits.io.max.wbpz: unknown limit "io.max.wbpz"/,
      ],
      [
        { knob: ['containers.db.limits.cpu.weight=0..100'] },
        'ISOBENCH_BAD_KNOB',
        /^--knob "containers.db.limits.cpu.weight=0..100" at 0: .*expected an integer from 1 to 10000, got "0"/,
      ],
      [
        { knob: ['containers.dbx.limits.cpu.weight=1..100'] },
        'ISOBENCH_BAD_KNOB',
        /no container "dbx" in web-vs-db/,
      ],
      [{ knob: [] }, 'ISOBENCH_BAD_KNOB', /^--knob: at least one is required/],
      [
        { knob: ['containers.db.limits.cpu.weight=1..100', 'containers.db.limits.cpu.weight=5..50'] },
        'ISOBENCH_BAD_KNOB',
        /is given twice/,
      ],
      [
        { maxTrials: '4' },
        'ISOBENCH_TUNE_OPTION',
        /^--max-trials: expected a whole number of at least 6, got "4"/,
      ],
      [{ minTrials: '9', maxTrials: '8' }, 'ISOBENCH_TUNE_OPTION', /^--min-trials 9 is above --max-trials 8/],
      [{ resolution: '0.1' }, 'ISOBENCH_TUNE_OPTION', /^--resolution: expected a percentage/],
      [
        { budget: 'soon' },
        'ISOBENCH_TUNE_OPTION',
        /--budget: expected a duration such as 500ms, 10s or 2m, got "soon"/,
      ],
      [
        { phase: 'solo-web' },
        'ISOBENCH_TUNE_OPTION',
        /^--phase: expected a co-located phase that runs web \(colocated\), got "solo-web"/,
      ],
      [{ cell: 'nope' }, 'ISOBENCH_TUNE_OPTION', /^--cell: expected one of no-limits, isolated, got "nope"/],
    ];
    for (const [o, code, message] of cases) {
      const err = await refusal(o);
      expect([err.code, err.exitCode], err.message).toEqual([code, 2]);
      expect(err.message).toMatch(message);
    }
  });

  it('--cell starts every point from that cell: its settings under the knobs', async () => {
    const { session } = await prepareTune(FILE, {
      ...good,
      knob: [good.knob?.[0] as string],
      cell: 'isolated',
    });
    expect(session.cellSettings).toMatchObject({
      'containers.web.limits.cpu.weight': 400,
      'containers.db.limits.io.max.wbps': '40MiB',
    });
  });
});
