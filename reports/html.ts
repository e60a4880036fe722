/**
 * The report page: sections of SafeHtml inside the frame of document.ts, with chart.js's UMD
 * bundle and the page script (reports/client/main.ts, built to dist/reports/client/main.js)
 * inlined and allowed by their hashes; the data is a `<script type="application/json">` element
 * that the browser never executes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChartSpec, ReportData } from './chartspec.js';
import { htmlDocument } from './document.js';
import { html, jsonScript, raw, type SafeHtml } from './safe-html.js';

let chartJsCache: string | null = null;
let clientJsCache: string | null = null;

/** chart.js's minified UMD bundle from node_modules, without its sourceMappingURL comment. */
export function chartJsSource(): string {
  if (chartJsCache === null) {
    // The package's exports map does not list the UMD file: find it beside the main entry.
    const main = createRequire(import.meta.url).resolve('chart.js');
    const text = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
    chartJsCache = text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  }
  return chartJsCache;
}

/**
 * The built page script: beside this module in dist/reports/, or in dist/ when this module runs
 * from its source (the tests; their global setup builds dist/ first).
 */
export function clientJsSource(): string {
  if (clientJsCache === null) {
    const here = dirname(fileURLToPath(import.meta.url));
    const candidates = [join(here, 'client/main.js'), join(here, '../dist/reports/client/main.js')];
    const found = candidates.find((c) => existsSync(c));
    if (!found)
      throw new Error(
        `the report page script is not built (looked in ${candidates.join(', ')}): run npm run build`,
      );
    clientJsCache = readFileSync(found, 'utf8');
  }
  return clientJsCache;
}

export interface Section {
  id: string;
  title: string;
  body: SafeHtml;
}

/** A grid of canvases for the given charts (their ids are in the embedded data). */
export function canvases(charts: ChartSpec[]): SafeHtml {
  return html`<div class="charts">${charts.map(
    (c) => html`<div class="chart"><canvas id="${c.id}" role="img" aria-label="${c.title}"></canvas></div>\n`,
  )}</div>`;
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; margin: 0; background: #fafafa; }
main { max-width: 1240px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 12px 0 4px; }
nav a { margin-right: 12px; color: #345; }
.note { color: #555; font-size: 13px; }
.warn { background: #fff4d6; border-left: 4px solid #e0a800; padding: 6px 10px; }
.lead { font-size: 16px; }
ul { margin: 4px 0; padding-left: 20px; }
table { display: block; max-width: 100%; overflow-x: auto; width: fit-content; border-collapse: collapse; background: #fff; margin: 6px 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
table.kv th { background: #f6f6f6; width: 140px; }
.matrix td { min-width: 220px; }
.matrix td.hurt { background: #fde8e8; }
.matrix td.protected { background: #e7f6ea; }
.matrix td.inconclusive { background: #fff6dc; }
.matrix td.dnr { background: #eee; }
.fig.hurt .num { color: #b00020; font-weight: 600; }
.with, .dnr-reason, .dnr-partial { color: #666; font-size: 12px; }
.badge { display: inline-block; min-width: 74px; text-align: center; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.hurt { background: #c62828; } .badge.protected { background: #2e7d32; }
.badge.inconclusive { background: #e0a800; } .badge.dnr, .badge.no-baseline { background: #757575; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 12px; }
.chart { position: relative; height: 280px; background: #fff; border: 1px solid #e3e3e3; padding: 6px; }
pre { background: #fff; border: 1px solid #ddd; padding: 8px 10px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; word-break: break-all; }
code { font-size: 12px; }
`;

export function renderPage(opts: {
  title: string;
  subtitle: string;
  sections: Section[];
  data: ReportData;
}): string {
  const nav = opts.sections.map((s) => html`<a href="#${s.id}">${s.title}</a>`);
  const sections = opts.sections.map(
    (s) => html`<section id="${s.id}">\n<h2>${s.title}</h2>\n${s.body}\n</section>\n`,
  );
  return htmlDocument({
    title: opts.title,
    style: raw(STYLE),
    body: html`<main>
<h1>${opts.title}</h1>
<p class="note">${opts.subtitle}</p>
<nav>${nav}</nav>
${sections}</main>
${jsonScript('report-data', opts.data)}`,
    scripts: [
      { source: chartJsSource(), kind: 'classic' },
      { source: clientJsSource(), kind: 'module' },
    ],
  });
}
