/// <reference lib="dom" />
/**
 * The compare page in a real browser (harness/testing/browser.ts): at 1300 px it fits the window
 * (the table included, each row's `why` on its own line), every bar is drawn inside its SVG (a
 * +3886% change too), and hostile names stay text with no script run and no request made.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { compareRuns } from '../../harness/compare/compare.js';
import { hostileRuns } from '../../harness/compare/testutil.js';
import {
  closeBrowser,
  injectedScriptRan,
  launchBrowser,
  missingBrowser,
  openPage,
} from '../../harness/testing/browser.js';
import { itWhen } from '../../harness/testing/support.js';
import { formatHtml } from './page.js';

const WIDTH = 1300;
let browser: BrowserContext | null = null;
const dir = mkdtempSync(join(tmpdir(), 'isobench-compare-page-'));

beforeAll(async () => {
  if (!missingBrowser) browser = await launchBrowser({ width: WIDTH, height: 900 });
});

afterAll(async () => {
  await closeBrowser(browser);
  rmSync(dir, { recursive: true, force: true });
});

describe('compare page in a 1300 px window', () => {
  itWhen(missingBrowser)('fits the window, draws every bar, and keeps hostile names as text', async () => {
    const { base, cand } = hostileRuns();
    const report = compareRuns(base, cand, { thresholdPct: 5 });
    const path = join(dir, 'compare.html');
    writeFileSync(path, formatHtml(report));
    const { page, consoleErrors, requests, dialogs } = await openPage(browser as BrowserContext, path);
    try {
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        // Boxes that scroll sideways on a narrow window: at 1300 px none needs to.
        overflowing: [...document.querySelectorAll('.scroll')].filter((e) => e.scrollWidth > e.clientWidth)
          .length,
      }));
      expect(layout.innerWidth).toBe(WIDTH);
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.innerWidth);
      expect(layout.overflowing).toBe(0);

      // Every bar's marks lie inside its SVG; the +3886% row's interval and estimate lie past the band, in order.
      const bars = await page.evaluate(() =>
        [...document.querySelectorAll('svg.bar')].map((svg) => {
          const box = svg.getBoundingClientRect();
          const marks = [...svg.querySelectorAll('line, circle, rect, text')].map((m) =>
            m.getBoundingClientRect(),
          );
          const inside = marks.every(
            (m) => m.left >= box.left - 0.5 && m.right <= box.right + 0.5 && m.width >= 0,
          );
          const box1 = (sel: string) => svg.querySelector(sel)?.getBoundingClientRect() ?? null;
          const interval = box1('line[stroke="currentColor"]');
          const dot = box1('circle');
          return {
            inside,
            bandRight: box1('rect')?.right ?? 0,
            interval: interval && [interval.left, interval.right],
            dotX: dot && (dot.left + dot.right) / 2,
            label: svg.querySelector('text')?.textContent ?? null,
          };
        }),
      );
      expect(bars).toHaveLength(report.rows.length);
      expect(bars.filter((b) => !b.inside)).toEqual([]);
      const big = report.rows.findIndex(
        (r) => r.cell === 'c1' && r.kind === 'colocated' && r.metric === 'latencyP99Us',
      );
      expect(report.rows[big]?.estimate).toBeGreaterThan(30);
      const { bandRight = 0, interval = null, dotX = null, label = null } = bars[big] ?? {};
      const [left = 0, right = 0] = interval ?? [];
      expect(left).toBeGreaterThan(bandRight + 10);
      expect(dotX).toBeGreaterThan(left);
      expect(dotX).toBeLessThan(right);
      expect(label).toBe('×50');

      expect(await page.title()).toBe(
        `isobench compare: <script>alert("x")</script> "><img src=x onerror="window.__xss=1"> vs syn-2`,
      );
      expect(await page.textContent('body')).toContain('</style><script>window.__xss=1</script>');
      expect(await page.textContent('body')).toContain(`' onmouseover='window.__xss=1`);
      expect(await page.textContent('table.rows')).toContain('cpu.weight=100<b onmouseover=alert(2)>');
      expect(await page.locator('script, img, b[onmouseover]').count()).toBe(0);
      expect(await injectedScriptRan(page)).toBe(false);
      expect(dialogs).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(path).href]);
    } finally {
      await page.close();
    }
  });
});
