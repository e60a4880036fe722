/**
 * The self-contained HTML output: inline CSS and one inline SVG per row (the interval against
 * the band), no scripts and no external resources, so it opens from a CI artifact offline.
 * Every string from a results file goes through `esc`: scenario, cell and container names are
 * user input.
 */
import type { CompareReport, CompareRow } from './compare.js';
import {
  barAxis,
  fmtBand,
  fmtEstimate,
  fmtInterval,
  fmtN,
  fmtP,
  fmtValue,
  phaseLabel,
  verdictSummary,
} from './format.js';
import { ruleText } from './text.js';

export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const COLOR = {
  regression: '#c0392b',
  improvement: '#1e8449',
  'no-change': '#566573',
  inconclusive: '#b9770e',
  excluded: '#aab7b8',
} as const;

const W = 220;
const H = 18;

/** The row's interval (a line with end caps), estimate (a dot) and the band (a grey box) on the row's axis. */
export function rowSvg(row: CompareRow): string {
  const { min, max } = barAxis(row.band);
  const pad = 6;
  const x = (r: number) => pad + ((Math.max(min, Math.min(max, r)) - min) / (max - min)) * (W - 2 * pad);
  const f = (n: number) => n.toFixed(1);
  const color = COLOR[row.verdict];
  const centre = (row.band.low + row.band.high) / 2;
  const parts = [
    `<rect x="${f(x(row.band.low))}" y="2" width="${f(x(row.band.high) - x(row.band.low))}" height="${H - 4}" fill="#e5e8e8"/>`,
    `<line x1="${f(x(centre))}" y1="1" x2="${f(x(centre))}" y2="${H - 1}" stroke="#909497" stroke-dasharray="2,2"/>`,
  ];
  if (row.low !== null && row.high !== null) {
    parts.push(
      `<line x1="${f(x(row.low))}" y1="${H / 2}" x2="${f(x(row.high))}" y2="${H / 2}" stroke="${color}" stroke-width="3"/>`,
    );
    if (row.low < min) parts.push(`<path d="M${pad - 5},${H / 2} l5,-4 v8 z" fill="${color}"/>`);
    if (row.high > max) parts.push(`<path d="M${W - pad + 5},${H / 2} l-5,-4 v8 z" fill="${color}"/>`);
  }
  if (row.estimate !== null)
    parts.push(`<circle cx="${f(x(row.estimate))}" cy="${H / 2}" r="3.5" fill="${color}"/>`);
  const title = `${fmtEstimate(row, row.estimate)} [${fmtInterval(row, row.low, row.high)}], band ${row.band.text}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img"><title>${esc(title)}</title>${parts.join('')}</svg>`;
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#1b2631}
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #e5e8e8;text-align:left;vertical-align:middle}
td.num{text-align:right;font-variant-numeric:tabular-nums}.v{font-weight:600}
.regression{color:${COLOR.regression}}.improvement{color:${COLOR.improvement}}.no-change{color:${COLOR['no-change']}}.inconclusive{color:${COLOR.inconclusive}}.excluded{color:${COLOR.excluded}}
pre{background:#f4f6f6;padding:.5em}`;

export function formatHtml(report: CompareReport): string {
  const { min, max } = barAxis(report.band);
  const d = report.differences;
  const diff = d.items
    .map(
      (i) =>
        `<tr><td>${esc(i.field)}</td><td><pre>${esc(i.base)}</pre></td><td><pre>${esc(i.cand)}</pre></td></tr>`,
    )
    .join('\n');
  const rows = report.rows
    .map(
      (
        r,
      ) => `<tr title="${esc(r.why)}"><td>${esc(r.cellName)}</td><td>${esc(r.container)}</td><td>${esc(phaseLabel(r))}</td><td>${esc(r.metric)}</td>
<td class="num">${esc(fmtValue(r, r.baseMedian))}</td><td class="num">${esc(fmtValue(r, r.candMedian))}</td><td class="num">${esc(fmtEstimate(r, r.estimate))}</td>
<td class="num">${esc(fmtInterval(r, r.low, r.high))}</td><td>${rowSvg(r)}</td>
<td class="num">${esc(fmtP(r.pHolm))}</td><td class="num">${esc(fmtN(r))}</td><td class="v ${r.verdict}">${esc(r.verdict)}</td><td>${esc(r.why)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>isobench compare: ${esc(report.base.scenario)} ${esc(report.base.runId)} vs ${esc(report.cand.runId)}</title>
<style>${CSS}</style></head><body>
<h1>isobench compare: <span class="${report.overall}">${esc(report.overall)}</span></h1>
<p>Base <b>${esc(report.base.runId)}</b> (${esc(report.base.scenario)}, kernel ${esc(report.base.kernel)}, ${esc(report.base.hostname)}) vs candidate <b>${esc(report.cand.runId)}</b> (${esc(report.cand.scenario)}, kernel ${esc(report.cand.kernel)}, ${esc(report.cand.hostname)}).</p>
<p>Threshold ${esc(fmtBand(report))}. ${esc(verdictSummary(report))}. Method: ${esc(report.method.text)}. Rule: ${esc(ruleText(report))}.${report.levels.looks ? ` Design: ${esc(report.levels.text)}.` : ''} The bars of ratio rows run from ${esc(fmtEstimate({ scale: 'ratio' }, min))} to ${esc(fmtEstimate({ scale: 'ratio' }, max))}; the grey box is the no-change band.</p>
${d.comparable ? '' : `<h2>Not comparable</h2><ul>${d.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`}
<h2>What differs</h2>
${d.items.length === 0 ? '<p>Nothing recorded differs between the runs (an A/A comparison).</p>' : `<table><tr><th>field</th><th>base</th><th>candidate</th></tr>\n${diff}</table>`}
${d.notes.length === 0 ? '' : `<ul>${d.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`}
<h2>Metrics</h2>
<table><tr><th>cell</th><th>container</th><th>phase</th><th>metric</th><th>base</th><th>candidate</th><th>change</th><th>interval</th><th>interval vs band</th><th>p (Holm)</th><th>n</th><th>verdict</th><th>why</th></tr>
${rows}
</table>
</body></html>
`;
}
