import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleResults } from '../harness/results/example.js';
import { resultsPaths } from '../harness/results/paths.js';
import { writeResultsJson } from '../harness/results/writer.js';
import { REPO_ROOT } from '../harness/testing/build.js';
import { writeSyntheticRun } from './bench/synthetic.js';
import { renderReports, writeReports } from './index.js';
import { readSamples } from './samples.js';
import { POINTS_PER_SERIES, timeSeriesCharts } from './timeseries.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'isobench-report-unit-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('writeReports', () => {
  it('rebuilds byte-identical reports from the same folder', async () => {
    const dir = tmp();
    await writeSyntheticRun(dir);
    const { htmlPath, markdownPath } = await writeReports(dir);
    const again = await renderReports(dir);
    expect(again.html === readFileSync(htmlPath, 'utf8')).toBe(true);
    expect(again.markdown).toBe(readFileSync(markdownPath, 'utf8'));
  });

  it('renders from results.json alone, saying the time series are missing', async () => {
    const dir = tmp();
    writeResultsJson(dir, exampleResults());
    const { html } = await renderReports(dir);
    expect(html).toContain('No samples.csv beside results.json');
    expect(html).toContain('<section id="matrix">');
  });

  it('allows only its own two scripts by hash, and no network source', async () => {
    const dir = tmp();
    writeResultsJson(dir, exampleResults());
    const { html } = await renderReports(dir);
    const attribute = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    // The policy is an attribute value: its quotes are escaped like any interpolated text.
    const csp = attribute.replace(/&#39;/g, "'");
    expect(csp).toMatch(
      /^default-src 'none'; script-src 'sha256-[^']+' 'sha256-[^']+'; style-src 'unsafe-inline'; img-src data:/,
    );
    expect(csp).not.toContain('unsafe-eval');
    expect(html).not.toMatch(/(src|href)="https?:/);
    // The hashes are those of the two inline scripts the page carries: chart.js and the built
    // page script (a module), in that order.
    const scripts = [...html.matchAll(/<script( type="module")?>(.*?)<\/script>/gs)];
    expect(scripts.map((m) => Boolean(m[1]))).toEqual([false, true]);
    expect(scripts[1]?.[2]).toBe(readFileSync(join(REPO_ROOT, 'dist/reports/client/main.js'), 'utf8'));
    const hashes = scripts.map(
      (m) =>
        `'sha256-${createHash('sha256')
          .update(m[2] ?? '')
          .digest('base64')}'`,
    );
    expect(csp).toContain(`script-src ${hashes.join(' ')};`);
  });
});

describe('samples and time series', () => {
  it('reads samples.csv, ignoring a cut last line, and refusing a bad line in the middle', async () => {
    const dir = tmp();
    const path = resultsPaths(dir).samplesCsv;
    const head = 'trial,cell,phase,container,tMs,cpuUsageUs,memoryCurrentBytes';
    writeFileSync(
      path,
      `${head}\nt1,c1,p,web,-500,100,7\nt1,c1,p,web,0,600,8\nt1,c1,p,web,500,1100,\nt1,c1,p,w`,
    );
    const s = await readSamples(path);
    const web = s?.get('t1')?.get('web');
    expect(web?.tMs).toEqual([-500, 0, 500]);
    expect(web?.values.cpuUsageUs).toEqual([100, 600, 1100]);
    expect(web?.values.memoryCurrentBytes).toEqual([7, 8, null]);
    expect(web?.values.psiIoFullUs).toEqual([null, null, null]);
    writeFileSync(path, `${head}\nt1,c1,p,web,x,1,2\nt1,c1,p,web,0,600,8\n`);
    await expect(readSamples(path)).rejects.toThrow(
      /samples.csv":2: expected trial, container and a numeric tMs/,
    );
    expect(await readSamples(join(dir, 'none.csv'))).toBeNull();
  });

  it('downsamples an hour of samples to the point budget, one gap between trials', async () => {
    const dir = tmp();
    const results = await writeSyntheticRun(dir);
    const samples = await readSamples(resultsPaths(dir).samplesCsv);
    const charts = timeSeriesCharts(results, samples);
    const cpu = charts.find((c) => c.title === 'web: CPU');
    const usage = cpu?.datasets.find((d) => d.label === 'usage')?.xy ?? [];
    const points = usage.length / 2;
    expect(points).toBeLessThanOrEqual(POINTS_PER_SERIES + 2 * results.trials.length);
    expect(points).toBeGreaterThan(POINTS_PER_SERIES / 2);
    // web runs in 20 of 30 trials: 19 gaps (null y) between its segments.
    const gaps = usage.filter((v, i) => i % 2 === 1 && v === null).length;
    expect(gaps).toBe(results.trials.filter((t) => t.phase.containers.includes('web')).length - 1);
    expect(charts.map((c) => c.title)).toContain('db: Memory');
    expect(charts.map((c) => c.title)).toContain('host: Pressure (PSI)');
  });
});
