/**
 * compare on real runs of this machine: two variants with the same settings (A/A) give no
 * regression; a variant that caps the web server at 0.1 CPU (A/B) is a regression on its
 * latency rows. All three run interleaved in one `isobench run --variant` invocation, so compare
 * analyses them as pairs (testdata/web-ab.yaml: the web server alone and next to a CPU hog).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { isobench, itWhen, missingRoot, OPEN_GUARDS, ROOT } from '../testing/support.js';

const test = itWhen(missingRoot());
const dir = mkdtempSync(join(tmpdir(), 'isobench-compare-real-'));
const out = join(dir, 'ab');
let ran: Awaited<ReturnType<typeof isobench>> | null = null;

interface Row {
  container: string;
  phase: string;
  metric: string;
  verdict: string;
  method: string;
}

describe('compare on real runs', () => {
  beforeAll(async () => {
    if (missingRoot()) return;
    ran = await isobench(
      [
        'run',
        join(ROOT, 'harness/compare/testdata/web-ab.yaml'),
        // 1 s windows (the file's 2 s are for the README's example): a 0.1-CPU cap is no subtler
        // in 1,000 requests than in 2,000.
        '--duration',
        '1s',
        '--warmup',
        '500ms',
        // 8 blocks, not the file's 10: the capped variant's trials take 6 s each here (its start,
        // drain and stop at 0.1 CPU), and 10 blocks made this file 200 s of the suite. 8 pairs are
        // the fewest whose exact signed-rank test survives Holm over the 6 judged rows (2/2^8 x 6
        // = 0.047; with 6 pairs 2/2^6 x 6 = 0.19 left the A/B inconclusive).
        '--repetitions',
        '8',
        ...OPEN_GUARDS,
        '--out',
        out,
        '--variant',
        'a',
        '--variant',
        'a2',
        '--variant',
        'b:containers.web.limits.cpu.max=10000',
      ],
      { timeoutMs: 900_000 },
    );
  }, 900_000);

  test('A/A: two variants with the same settings give no regression', async () => {
    expect(ran?.exitCode, ran?.stderr).toBe(0);
    const r = await isobench(['compare', join(out, 'a'), join(out, 'a2'), '--json']);
    expect([0, 3]).toContain(r.exitCode);
    const report = JSON.parse(r.stdout) as { rows: Row[]; overall: string };
    expect(report.rows.length).toBeGreaterThan(0);
    expect(report.rows.filter((x) => x.verdict === 'regression')).toEqual([]);
  });

  test('A/B: the web server capped at 0.1 CPU is a regression on its latency rows, from paired trials', async () => {
    const md = join(dir, 'ab.md');
    const r = await isobench(['compare', join(out, 'a'), join(out, 'b'), '--json', '--markdown', md]);
    expect(r.exitCode, r.stdout.slice(0, 2000)).toBe(1);
    const report = JSON.parse(r.stdout) as { rows: Row[]; overall: string; method: { paired: boolean } };
    expect(report.overall).toBe('regression');
    expect(report.method.paired).toBe(true);
    const regressed = report.rows.filter((x) => x.verdict === 'regression');
    expect(regressed.every((x) => x.method === 'paired')).toBe(true);
    expect(regressed.map((x) => `${x.container} ${x.metric}`)).toContain('web latencyP50Us');
    expect(readFileSync(md, 'utf8')).toMatch(/regression/i);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
