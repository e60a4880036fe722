/**
 * `isobench tune` end to end on this machine, short: the web server's own CPU quota is the knob
 * (testdata/web-cpu-quota.yaml: at 15% of a CPU it cannot keep up with 1,000 requests/s, at a
 * whole CPU it answers in a few ms). Two points (--max-points 2, so the test does not depend on
 * how fast the host is): the loosest violates, the tightest meets, and the recommendation is the
 * tightest. Asserts on verdicts, counts and the quota read back from the kernel in each trial
 * record, and that nothing is left behind; not on time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { readResults, readTrials } from '../results/reader.js';
import { isobench, itWhen, leftoverCgroups, missingRoot, OPEN_GUARDS, ROOT } from '../testing/support.js';
import { tuneFileSchema } from './record.js';

const test = itWhen(missingRoot());
const base = mkdtempSync(join(tmpdir(), 'isobench-tune-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('isobench tune', () => {
  test('two points of a real tune: verdicts, the recommendation, the quota each trial ran with', async () => {
    const out = join(base, 'out');
    const r = await isobench(
      [
        'tune',
        join(ROOT, 'harness/tune/testdata/web-cpu-quota.yaml'),
        '--victim',
        'web',
        '--slo',
        'p99<=50ms',
        '--knob',
        'containers.web.limits.cpu.max=15000..100000',
        '--max-trials',
        '6',
        '--max-points',
        '2',
        '--output',
        out,
        ...OPEN_GUARDS,
      ],
      { timeoutMs: 300_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const tune = tuneFileSchema.parse(JSON.parse(readFileSync(join(out, 'tune.json'), 'utf8')));
    expect(tune.status).toBe('complete');
    // A limit on the victim itself: lower is looser, so the tightest end is the whole CPU.
    expect(tune.knobs.map((k) => [k.tight, k.loose])).toEqual([[100000, 15000]]);
    expect(tune.points.map((p) => [p.role, p.values[0], p.verdict])).toEqual([
      ['loosest', 15000, 'violates'],
      ['tightest', 100000, 'meets'],
    ]);
    expect(tune.outcome.status).toBe('budget');
    expect(tune.outcome.recommendation).toMatchObject({
      values: [100000],
      set: ['containers.web.limits.cpu.max=100000'],
      point: 2,
    });
    expect(tune.outcome.brackets).toEqual([{ meets: 100000, fails: 15000, withinResolution: false }]);
    expect(r.stdout).toContain('--set containers.web.limits.cpu.max=100000');

    for (const [i, quota] of [
      [0, 15000],
      [1, 100000],
    ] as const) {
      const p = tune.points[i];
      if (!p) throw new Error(`no point ${i + 1}`);
      // The trials the point counted are in its results folder, each with the quota read back.
      const trials = readTrials(join(out, p.dir));
      expect(trials.filter((t) => t.status !== 'invalid').length).toBe(p.trials);
      expect(p.samples.length).toBe(p.trials - p.failed);
      expect(p.trials).toBeGreaterThanOrEqual(5);
      expect(p.trials).toBeLessThanOrEqual(6);
      for (const t of trials) {
        expect(t.phase.containers).toEqual(['web', 'hog']);
        expect(t.cell.settings).toEqual({ 'containers.web.limits.cpu.max': quota });
        const applied = t.containers.find((c) => c.name === 'web')?.limits.applied['cpu.max'];
        expect(applied?.value).toBe(`${quota} 100000`);
      }
      // Each trial's figure is the one the verdict used.
      const ok = trials.filter((t) => t.status === 'ok');
      expect(ok.map((t) => t.containers.find((c) => c.name === 'web')?.metrics.latencyP99Us)).toEqual(
        p.samples,
      );
      expect(p.applied.web?.['cpu.max']).toMatch(new RegExp(`^${quota} 100000 `));
      expect(readResults(join(out, p.dir)).trials.length).toBe(trials.length);
      expect(existsSync(join(out, p.dir, 'report.html'))).toBe(true);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/class="slo"/g)?.length).toBe(1);
    expect(html.match(/<g class="point (meets|violates|unsettled)"/g)?.length).toBe(2);
    expect(existsSync(join(out, 'work'))).toBe(false);
    expect(leftoverCgroups()).toEqual([]);
  });
});
