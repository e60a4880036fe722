/// <reference lib="dom" />
/**
 * The report in a real browser: headless Chromium (Debian's package, driven by playwright-core;
 * no browser download). A report from a real short run draws every chart, logs no console
 * error and requests nothing but itself; a hostile scenario name stays text; a rebuild from
 * the folder gives identical bytes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { exampleResults } from '../harness/results/example.js';
import { writeResultsJson } from '../harness/results/writer.js';
import {
  closeBrowser,
  injectedScriptRan,
  launchBrowser,
  missingBrowser,
  type Opened,
  openPage,
} from '../harness/testing/browser.js';
import { isobench, itWhen, missingRoot, OPEN_GUARDS } from '../harness/testing/support.js';
import { writeSyntheticRun } from './bench/synthetic.js';
import { renderReports, writeReports } from './index.js';

const missingRun = missingBrowser ?? missingRoot();

let browser: BrowserContext | null = null;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'isobench-report-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  if (!missingBrowser) browser = await launchBrowser({ width: 1280, height: 900 });
});

afterAll(async () => {
  await closeBrowser(browser);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The report opened once its script has drawn every chart. */
async function open(htmlPath: string): Promise<Opened> {
  const opened = await openPage(browser as BrowserContext, htmlPath);
  await opened.page.waitForSelector('html[data-charts-drawn]', { timeout: 10_000 });
  return opened;
}

/** Non-transparent pixels of every canvas, read back from the page. */
async function canvasPixels(page: Page): Promise<{ id: string; drawn: number; total: number }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('canvas')].map((c) => {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return { id: c.id, drawn: 0, total: 0 };
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      let drawn = 0;
      for (let i = 3; i < px.length; i += 4) if ((px[i] as number) > 0) drawn++;
      return { id: c.id, drawn, total: px.length / 4 };
    }),
  );
}

describe('report from a real short run', () => {
  let dir = '';

  beforeAll(async () => {
    if (missingRun) return;
    dir = join(tmp(), 'run');
    const proc = await isobench(
      ['run', '--duration', '2s', '--warmup', '500ms', '--repetitions', '1', '--out', dir, ...OPEN_GUARDS],
      { timeoutMs: 300_000 },
    );
    if (proc.exitCode !== 0) throw new Error(`isobench run failed (${proc.exitCode}): ${proc.stderr}`);
  }, 360_000);

  itWhen(missingRun)('draws every chart, logs no error and requests nothing but the page', async () => {
    // The page under test is the one `isobench run` wrote: a run that stops writing its report
    // must fail here, not be rescued by a report this test renders itself.
    const html = join(dir, 'report.html');
    expect(existsSync(html), 'isobench run wrote report.html').toBe(true);
    const { page, consoleErrors, requests, dialogs } = await open(html);
    try {
      const canvases = await canvasPixels(page);
      // percentiles (web, db), time series (web, db, host), sweep (2 cells)
      expect(canvases.length).toBeGreaterThanOrEqual(10);
      expect(canvases.filter((c) => c.drawn === 0).map((c) => c.id)).toEqual([]);
      expect(Number(await page.getAttribute('html', 'data-charts-drawn'))).toBe(canvases.length);
      expect(consoleErrors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([pathToFileURL(html).href]);
      // Every section is there and filled.
      for (const id of [
        'headline',
        'matrix',
        'percentiles',
        'timeseries',
        'sweep',
        'limits',
        'trials',
        'host',
        'scenario',
        'command',
      ]) {
        const text = (await page.textContent(`section#${id}`)) ?? '';
        expect(text.length, `section ${id}`).toBeGreaterThan(40);
      }
      expect(await page.textContent('section#scenario pre')).toContain('name: web-vs-db');
      expect(await page.textContent('section#command pre')).toMatch(/^isobench run .*--seed \d+/);
      expect(await page.textContent('section#limits')).toContain('memory.max');
      // One row per trial, with how it was measured (the generators' CPU, late sends).
      expect(await page.locator('section#trials tbody tr').count()).toBe(6);
      expect(await page.textContent('section#trials')).toMatch(/c1-solo-web-r1\s*ok\s*\d\.\d\d\s*\d+\.\d%/);
    } finally {
      await page.close();
    }
  });

  itWhen(missingRun)('the CSP blocks a request made from the page', async () => {
    const { page } = await open(join(dir, 'report.html'));
    try {
      const outcome = await page.evaluate(() =>
        fetch('http://127.0.0.1:9/x').then(
          () => 'fetched',
          (e: Error) => `blocked: ${e.message}`,
        ),
      );
      expect(outcome).toMatch(/^blocked/);
    } finally {
      await page.close();
    }
  });

  itWhen(missingRun)('a rebuild from the folder is identical to the original', async () => {
    const original = readFileSync(join(dir, 'report.html'), 'utf8');
    const rebuilt = await renderReports(dir);
    expect(rebuilt.html === original, 'vs the report isobench run wrote').toBe(true);
    expect(rebuilt.markdown).toBe(readFileSync(join(dir, 'summary.md'), 'utf8'));
  });
});

describe('report of a hostile scenario', () => {
  const PAYLOAD = '<script>alert(1)</script>';

  itWhen(missingBrowser)('shows the text literally and runs no script', async () => {
    const dir = tmp();
    const results = exampleResults();
    results.scenario.name = PAYLOAD;
    results.scenario.text = `name: ${PAYLOAD}\n# <img src=x onerror="window.__xss=1">\n`;
    results.host.hostname = PAYLOAD;
    results.host.kernel = '<img src=x onerror="window.__xss=1">';
    results.host.cpu.model = `"><script>window.__xss=1</script>`;
    results.host.distribution = '</style><script>window.__xss=1</script><style>';
    const cell = results.cells[0];
    if (cell) cell.name = `</script><script>window.__xss=1</script>`;
    writeResultsJson(dir, results);
    const { htmlPath } = await writeReports(dir);
    const { page, consoleErrors, requests, dialogs } = await open(htmlPath);
    try {
      expect(await page.title()).toBe(`isobench report: ${PAYLOAD}`);
      expect(await page.textContent('h1')).toBe(`isobench report: ${PAYLOAD}`);
      expect(await page.textContent('section#host')).toContain(PAYLOAD);
      expect(await page.textContent('section#host')).toContain('</style><script>window.__xss=1</script>');
      expect(await page.textContent('section#host')).toContain(`"><script>window.__xss=1</script>`);
      expect(await page.textContent('section#scenario pre')).toContain('onerror="window.__xss=1"');
      expect(await page.textContent('section#matrix')).toContain('</script><script>window.__xss=1</script>');
      expect(dialogs).toEqual([]);
      expect(await injectedScriptRan(page)).toBe(false);
      // Only the three scripts the page ships: data, chart.js, the page script; no injected img.
      expect(await page.locator('script').count()).toBe(3);
      expect(await page.locator('img').count()).toBe(0);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(htmlPath).href]);
      expect((await canvasPixels(page)).filter((c) => c.drawn === 0)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

describe('report of a one-hour run', () => {
  itWhen(missingBrowser)('stays under 5 MiB and draws every chart', async () => {
    const dir = tmp();
    await writeSyntheticRun(dir);
    const { htmlPath } = await writeReports(dir);
    expect(statSync(htmlPath).size).toBeLessThan(5 * 2 ** 20);
    const { page, consoleErrors, requests } = await open(htmlPath);
    try {
      const canvases = await canvasPixels(page);
      // percentiles: web, db; time series: web, db, hog x 4 + host x 2; sweep: 2
      expect(canvases.length).toBe(18);
      expect(canvases.filter((c) => c.drawn === 0).map((c) => c.id)).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(htmlPath).href]);
    } finally {
      await page.close();
    }
  });
});
