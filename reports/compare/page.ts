/**
 * The compare page (`isobench compare --html FILE`): inline CSS and one inline SVG per row (the
 * interval against the band, bar.ts), no script and no external resource, so it opens from a CI
 * artifact offline. Written with the `html` template: scenario, cell and container names,
 * host names and run ids come from results files and are escaped by it. Each row's `why`
 * stands on a line of its own under the row, so the table fits a 1300 px window.
 */
import type { CompareReport, CompareRow } from '../../harness/compare/compare.js';
import * as fmt from '../../harness/compare/format.js';
import { ruleText } from '../../harness/compare/text.js';
import { htmlDocument } from '../document.js';
import { html, raw, type SafeHtml } from '../safe-html.js';
import { endLabel, type PageAxis, pageAxis, type ScaleAxis } from './axis.js';
import { type Geometry, geometry, rowSvg } from './bar.js';

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b2631}
h1{font-size:24px}h2{font-size:18px;margin-top:1.6em}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 6px;border-bottom:1px solid #e5e8e8;text-align:left;vertical-align:middle}
th{font-size:12px}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{max-width:100%;overflow-x:auto}
.rows tr.row td{border-bottom:none;padding-top:6px}.rows tr.why td{font-size:12px;color:#566573;padding:0 6px 6px 24px}
.rows td.cell{overflow-wrap:anywhere;min-width:8ch}td.interval{white-space:normal}td.interval span{white-space:nowrap}svg.bar{display:block}
.v{font-weight:600}
.regression{color:#c0392b}.improvement{color:#1e8449}.no-change{color:#566573}.inconclusive{color:#b9770e}.excluded{color:#aab7b8}
pre{background:#f4f6f6;padding:.5em;margin:0;white-space:pre-wrap;overflow-wrap:anywhere}`;

/** `-2.1% … +3.0%` that wraps only after the ellipsis. */
function interval(r: CompareRow): SafeHtml | string {
  if (r.low === null || r.high === null) return 'n/a';
  return html`<span>${fmt.fmtEstimate(r, r.low)} …</span> <span>${fmt.fmtEstimate(r, r.high)}</span>`;
}

function rowHtml(r: CompareRow, axis: PageAxis, g: Geometry, columns: number): SafeHtml {
  const a = r.scale === 'ratio' ? axis.ratio : axis.difference;
  return html`<tbody>
<tr class="row"><td class="cell">${r.cellName}</td><td>${r.container}</td><td>${fmt.phaseLabel(r)}</td><td>${r.metric}</td>
<td class="num">${fmt.fmtValue(r, r.baseMedian)}</td><td class="num">${fmt.fmtValue(r, r.candMedian)}</td>
<td class="num">${fmt.fmtEstimate(r, r.estimate)}</td><td class="num interval">${interval(r)}</td><td>${rowSvg(r, a, g)}</td>
<td class="num">${fmt.fmtP(r.pHolm)}</td><td class="num">${fmt.fmtN(r)}</td><td class="v ${r.verdict}">${r.verdict}</td></tr>
<tr class="why"><td colspan="${columns}">${r.why}</td></tr>
</tbody>\n`;
}

/** What the bars show, with this page's axis ends. */
function barLegend(axis: PageAxis): string {
  const span = (a: ScaleAxis) => `${fmt.fmtEstimate(a, a.min)} to ${fmt.fmtEstimate(a, a.max)}`;
  const ends = [axis.ratio, axis.difference].flatMap((a) =>
    [a.lowEnd, a.highEnd].flatMap((e) => (e === null ? [] : [endLabel(a, e)])),
  );
  const outer =
    ends.length > 0
      ? `; beyond a break (//) the axis goes on as a log scale of the distance from its edge, out to the labelled end (${ends.join(', ')}), so a large change is drawn where it lies`
      : '';
  return `The bars: the grey box is the no-change band, the line the interval, the dot the estimate, on a linear axis from ${span(axis.ratio)} (pp rows ${span(axis.difference)})${outer}.`;
}

export function formatHtml(report: CompareReport): string {
  const d = report.differences;
  const axis = pageAxis(report);
  const g = geometry(axis);
  const columns = fmt.rowColumns(report);
  const diff = d.items.map(
    (i) => html`<tr><td>${i.field}</td><td><pre>${i.base}</pre></td><td><pre>${i.cand}</pre></td></tr>\n`,
  );
  const side = (l: CompareReport['base']) =>
    html`<b>${l.runId}</b> (${l.scenario}, kernel ${l.kernel}, ${l.hostname})`;
  const body = html`<h1>isobench compare: <span class="${report.overall}">${report.overall}</span></h1>
<p>Base ${side(report.base)} vs candidate ${side(report.cand)}.</p>
<p>Threshold ${fmt.fmtBand(report)}. ${fmt.verdictSummary(report)}. Method: ${report.method.text}. Rule: ${ruleText(report)}.${report.levels.looks && ` Design: ${report.levels.text}.`}</p>
<p>${barLegend(axis)}</p>
${!d.comparable && html`<h2>Not comparable</h2><ul>${d.reasons.map((r) => html`<li>${r}</li>`)}</ul>`}
<h2>What differs</h2>
${d.items.length === 0 ? html`<p>Nothing recorded differs between the runs (an A/A comparison).</p>` : html`<div class="scroll"><table><tr><th>field</th><th>base</th><th>candidate</th></tr>\n${diff}</table></div>`}
${d.notes.length > 0 && html`<ul>${d.notes.map((n) => html`<li>${n}</li>`)}</ul>`}
<h2>Metrics</h2>
<div class="scroll"><table class="rows"><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead>
${report.rows.map((r) => rowHtml(r, axis, g, columns.length))}</table></div>
`;
  return htmlDocument({
    title: `isobench compare: ${report.base.scenario} ${report.base.runId} vs ${report.cand.runId}`,
    style: raw(CSS),
    body,
  });
}
