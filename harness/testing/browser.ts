/// <reference lib="dom" />
/**
 * Pages in a real browser for the report and compare tests: headless Chromium (Debian's package,
 * driven by playwright-core; no browser download), a fresh empty profile per test file, and each
 * opened page's console errors, requests and dialogs collected.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ISOBENCH_CHROMIUM ?? '/usr/bin/chromium';
export const missingBrowser = existsSync(CHROMIUM) ? null : `no ${CHROMIUM} (apt-get install chromium)`;

const profiles = new WeakMap<BrowserContext, string>();

/** Chromium with a fresh profile (playwright passes the folder as --user-data-dir); closeBrowser removes it. */
export async function launchBrowser(viewport: { width: number; height: number }): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'isobench-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  profiles.set(context, profile);
  return context;
}

/** Closes the browser, then removes its profile (Chromium writes to it until it has exited). */
export async function closeBrowser(context: BrowserContext | null): Promise<void> {
  if (!context) return;
  await context.close();
  const profile = profiles.get(context);
  if (profile) rmSync(profile, { recursive: true, force: true });
}

export interface Opened {
  page: Page;
  consoleErrors: string[];
  requests: string[];
  dialogs: string[];
}

/** Opens a page from a file, recording console errors, requests and dialogs (dismissed). */
export async function openPage(browser: BrowserContext, htmlPath: string): Promise<Opened> {
  const page = await browser.newPage();
  const out: Opened = { page, consoleErrors: [], requests: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') out.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => out.consoleErrors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => out.requests.push(r.url()));
  page.on('dialog', (d) => {
    out.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  return out;
}

/** Whether a script injected through the page's data ran (the hostile fixtures set window.__xss). */
export async function injectedScriptRan(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __xss?: number }).__xss !== undefined);
}
