/**
 * compare on real runs of this machine: two variants with the same settings (A/A) never give a
 * regression; a variant that gives the database a far lower io.max wbps (A/B) is a regression on
 * the database's figures. All three run interleaved in one `isobench run --variant` invocation.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { isobench, itWhen, missingRoot, ROOT } from '../testing/support.js';

const test = itWhen(missingRoot());
const dir = mkdtempSync(join(tmpdir(), 'isobench-compare-real-'));
const out = join(dir, 'ab');
let ran: Awaited<ReturnType<typeof isobench>> | null = null;

interface Row {
  container: string;
  phase: string;
  metric: string;
  verdict: string;
}

describe('compare on real runs', () => {
  beforeAll(async () => {
    if (missingRoot()) return;
    ran = await isobench(
      [
        'run',
        join(ROOT, 'harness/compare/testdata/ab.yaml'),
        '--out',
        out,
        '--variant',
        'a',
        '--variant',
        'a2',
        '--variant',
        'b:containers.db.limits.io.max.wbps=1MiB',
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

  test('A/B: a far lower io.max wbps for the database is a regression on its figures', async () => {
    const md = join(dir, 'ab.md');
    const r = await isobench(['compare', join(out, 'a'), join(out, 'b'), '--json', '--markdown', md]);
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as { rows: Row[]; overall: string };
    expect(report.overall).toBe('regression');
    const regressed = report.rows.filter((x) => x.verdict === 'regression').map((x) => x.metric);
    expect(regressed).toContain('txnPerSec');
    expect(readFileSync(md, 'utf8')).toMatch(/regression/i);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
