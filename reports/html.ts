/**
 * The page: one self-contained HTML file. chart.js's UMD bundle and the page script are
 * inlined and allowed by their sha256 hashes in the Content-Security-Policy, which forbids
 * every fetch (default-src 'none', no connect-src, images only from data: URLs); the data is a
 * `<script type="application/json">` element that the browser never executes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChartSpec, ReportData } from './chartspec.js';
import { CLIENT_JS } from './client.js';
import { escapeHtml as h, jsonForScript } from './escape.js';

let chartJsCache: string | null = null;

/** chart.js's minified UMD bundle from node_modules, without its sourceMappingURL comment. */
export function chartJsSource(): string {
  if (chartJsCache === null) {
    // The package's exports map does not list the UMD file: find it beside the main entry.
    const main = createRequire(import.meta.url).resolve('chart.js');
    const text = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
    chartJsCache = text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    if (/<\/script|<!--/i.test(chartJsCache)) {
      throw new Error('chart.umd.min.js contains </script or <!--: it cannot be inlined as is');
    }
  }
  return chartJsCache;
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export interface Section {
  id: string;
  title: string;
  /** HTML, already escaped. */
  body: string;
}

/** A grid of canvases for the given charts (their ids are in the embedded data). */
export function canvases(charts: ChartSpec[]): string {
  return `<div class="charts">${charts
    .map(
      (c) =>
        `<div class="chart"><canvas id="${h(c.id)}" role="img" aria-label="${h(c.title)}"></canvas></div>`,
    )
    .join('\n')}</div>`;
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
  const chartJs = chartJsSource();
  // Our own constants and base64 hashes only: no quote or markup to escape.
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(chartJs)} ${sha256(CLIENT_JS)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const nav = opts.sections.map((s) => `<a href="#${h(s.id)}">${h(s.title)}</a>`).join('');
  const body = opts.sections
    .map((s) => `<section id="${h(s.id)}">\n<h2>${h(s.title)}</h2>\n${s.body}\n</section>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${h(opts.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${h(opts.title)}</h1>
<p class="note">${h(opts.subtitle)}</p>
<nav>${nav}</nav>
${body}
</main>
<script type="application/json" id="report-data">${jsonForScript(opts.data)}</script>
<script>${chartJs}</script>
<script>${CLIENT_JS}</script>
</body>
</html>
`;
}
