/**
 * report.html of a tune folder, from tune.json alone: the recommendation and the evidence, the
 * victim's metric against each knob with the SLO line and the search path (points numbered in
 * the order tried, coloured by verdict, each with its interval), and for two knobs the plane of
 * both with the region monotonicity implies: everything tighter than a point that met meets
 * (green), everything looser than a point that did not does not (red). Plain SVG drawn here: no
 * script, the same Content-Security-Policy frame as every page (document.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricName } from '../harness/results/types.js';
import { type TuneFile, tuneFileSchema } from '../harness/tune/record.js';
import { formatMetric } from '../harness/tune/slo.js';
import { formatBytes } from '../harness/units.js';
import { htmlDocument } from './document.js';
import { writeReports } from './index.js';
import { html, joinHtml, raw, type SafeHtml } from './safe-html.js';

const COLOUR = { meets: '#1a7f37', violates: '#cf222e', unsettled: '#bf8700' } as const;
const W = 640;
const H = 360;
const PAD = { l: 70, r: 20, t: 20, b: 50 };

type Knob = TuneFile['knobs'][number];

interface Axis {
  min: number;
  max: number;
  log: boolean;
}

function axisOf(k: Knob): Axis {
  const lo = Math.min(k.tight, k.loose);
  const hi = Math.max(k.tight, k.loose);
  return { min: lo, max: hi, log: k.scale === 'geometric' };
}

function scale(a: Axis, v: number, from: number, to: number): number {
  const f = a.log ? Math.log(v / a.min) / Math.log(a.max / a.min) : (v - a.min) / (a.max - a.min || 1);
  return from + f * (to - from);
}

function ticks(a: Axis, n = 5): number[] {
  const out: number[] = [];
  for (let i = 0; i <= n; i++) {
    out.push(a.log ? a.min * (a.max / a.min) ** (i / n) : a.min + ((a.max - a.min) * i) / n);
  }
  return out;
}

const fmtKnob = (k: Knob, v: number) =>
  k.unit === 'bytes' ? formatBytes(Math.round(v)) : Number.isInteger(v) ? String(v) : v.toPrecision(3);

/** The victim's metric against one knob: points, intervals, the path in order, the SLO line. */
function knobChart(t: TuneFile, i: number): SafeHtml {
  const k = t.knobs[i] as Knob;
  const metric = t.slo.metric as MetricName;
  const xa = axisOf(k);
  const ys = t.points
    .flatMap((p) => [p.estimate.high, p.estimate.median, ...p.samples])
    .filter((v): v is number => v !== null);
  const ymax = Math.max(t.slo.threshold * 1.2, ...ys) * 1.05;
  const ya: Axis = { min: 0, max: ymax, log: false };
  const x = (v: number) => scale(xa, v, PAD.l, W - PAD.r);
  const y = (v: number) => scale(ya, v, H - PAD.b, PAD.t);
  const pts = t.points.filter((p) => p.estimate.median !== null);
  const path = pts
    .map((p) => `${x(p.values[i] as number).toFixed(1)},${y(p.estimate.median as number).toFixed(1)}`)
    .join(' ');
  return html`<figure><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${metric} against ${k.label}">
<rect x="${PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}" fill="none" stroke="#ccc"/>
${ticks(xa).map(
  (v) =>
    html`<line x1="${x(v)}" x2="${x(v)}" y1="${H - PAD.b}" y2="${H - PAD.b + 5}" stroke="#666"/><text x="${x(v)}" y="${H - PAD.b + 18}" text-anchor="middle" font-size="11">${fmtKnob(k, v)}</text>`,
)}
${ticks(ya, 4).map(
  (v) =>
    html`<line x1="${PAD.l - 5}" x2="${PAD.l}" y1="${y(v)}" y2="${y(v)}" stroke="#666"/><text x="${PAD.l - 8}" y="${y(v) + 4}" text-anchor="end" font-size="11">${formatMetric(metric, v)}</text>`,
)}
<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${k.label} (${k.scale === 'geometric' ? 'log scale' : 'linear'}; tightest ${fmtKnob(k, k.tight)}, loosest ${fmtKnob(k, k.loose)})</text>
<line class="slo" x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(t.slo.threshold)}" y2="${y(t.slo.threshold)}" stroke="#0969da" stroke-dasharray="6 4" stroke-width="1.5"/>
<text x="${W - PAD.r - 4}" y="${y(t.slo.threshold) - 6}" text-anchor="end" font-size="12" fill="#0969da">SLO ${t.slo.metric} ${t.slo.op} ${formatMetric(metric, t.slo.threshold)}</text>
<polyline class="path" points="${path}" fill="none" stroke="#888" stroke-width="1" stroke-dasharray="2 3"/>
${pts.map((p) => {
  const cx = x(p.values[i] as number);
  const c = COLOUR[p.verdict];
  return html`<g class="point ${p.verdict}">${p.samples.map((s) => html`<circle cx="${cx}" cy="${y(s)}" r="1.8" fill="${c}" opacity="0.35"/>`)}${
    p.estimate.low !== null && p.estimate.high !== null
      ? html`<line x1="${cx}" x2="${cx}" y1="${y(p.estimate.low)}" y2="${y(p.estimate.high)}" stroke="${c}" stroke-width="3"/>`
      : ''
  }<circle cx="${cx}" cy="${y(p.estimate.median as number)}" r="5" fill="${c}"><title>point ${p.index}: ${p.formatted.join(', ')}: ${p.verdict}, median ${formatMetric(metric, p.estimate.median)}</title></circle><text x="${cx + 7}" y="${y(p.estimate.median as number) - 7}" font-size="11">${p.index}</text></g>`;
})}
</svg><figcaption>${metric} of ${t.victim} (median of the trials' values with its interval at the last look; faint dots: each trial) against ${k.label}; points numbered in the order tried, the dotted line is the search path; dashed blue: the SLO.</figcaption></figure>`;
}

/** Two knobs: the plane, the region implied by monotonicity, the points by verdict. */
function planeChart(t: TuneFile): SafeHtml {
  const [k1, k2] = t.knobs as [Knob, Knob];
  const xa = axisOf(k1);
  const ya = axisOf(k2);
  const x = (v: number) => scale(xa, v, PAD.l, W - PAD.r);
  const y = (v: number) => scale(ya, v, H - PAD.b, PAD.t);
  const box = (a: [number, number], b: [number, number], fill: string) => {
    const [x1, x2] = [x(a[0]), x(b[0])].sort((p, q) => p - q) as [number, number];
    const [y1, y2] = [y(a[1]), y(b[1])].sort((p, q) => p - q) as [number, number];
    return html`<rect x="${x1}" y="${y1}" width="${Math.max(0, x2 - x1)}" height="${Math.max(0, y2 - y1)}" fill="${fill}" opacity="0.18"/>`;
  };
  const rec = t.outcome.recommendation;
  const path = t.points
    .map((p) => `${x(p.values[0] as number).toFixed(1)},${y(p.values[1] as number).toFixed(1)}`)
    .join(' ');
  return html`<figure><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="feasible region of ${k1.label} and ${k2.label}">
<rect x="${PAD.l}" y="${PAD.t}" width="${W - PAD.l - PAD.r}" height="${H - PAD.t - PAD.b}" fill="none" stroke="#ccc"/>
${t.points.map((p) =>
  p.verdict === 'meets'
    ? box([k1.tight, k2.tight], [p.values[0] as number, p.values[1] as number], COLOUR.meets)
    : box([p.values[0] as number, p.values[1] as number], [k1.loose, k2.loose], COLOUR.violates),
)}
${ticks(xa).map(
  (v) =>
    html`<line x1="${x(v)}" x2="${x(v)}" y1="${H - PAD.b}" y2="${H - PAD.b + 5}" stroke="#666"/><text x="${x(v)}" y="${H - PAD.b + 18}" text-anchor="middle" font-size="11">${fmtKnob(k1, v)}</text>`,
)}
${ticks(ya, 4).map(
  (v) =>
    html`<line x1="${PAD.l - 5}" x2="${PAD.l}" y1="${y(v)}" y2="${y(v)}" stroke="#666"/><text x="${PAD.l - 8}" y="${y(v) + 4}" text-anchor="end" font-size="11">${fmtKnob(k2, v)}</text>`,
)}
<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${k1.label} (tightest ${fmtKnob(k1, k1.tight)} to loosest ${fmtKnob(k1, k1.loose)}); up: ${k2.label} (${fmtKnob(k2, k2.tight)} to ${fmtKnob(k2, k2.loose)})</text>
<polyline class="path" points="${path}" fill="none" stroke="#888" stroke-width="1" stroke-dasharray="2 3"/>
${t.points.map(
  (p) =>
    html`<g class="point ${p.verdict}"><circle cx="${x(p.values[0] as number)}" cy="${y(p.values[1] as number)}" r="6" fill="${COLOUR[p.verdict]}"><title>point ${p.index}: ${p.formatted.join(', ')}: ${p.verdict}</title></circle><text x="${x(p.values[0] as number) + 8}" y="${y(p.values[1] as number) - 8}" font-size="11">${p.index}</text></g>`,
)}
${rec ? html`<circle class="recommendation" cx="${x(rec.values[0] as number)}" cy="${y(rec.values[1] as number)}" r="11" fill="none" stroke="#000" stroke-width="2"/>` : ''}
</svg><figcaption>Feasible region: green, tighter than a point that met the SLO (meets by monotonicity); red, looser than a point that did not (violates or unsettled); white, not known. Points numbered in the order tried; the ring is the recommendation.</figcaption></figure>`;
}

function pointsTable(t: TuneFile): SafeHtml {
  const metric = t.slo.metric as MetricName;
  return html`<table><thead><tr><th>#</th><th>role</th>${t.knobs.map((k) => html`<th>${k.label}</th>`)}<th>verdict</th><th>trials</th><th>median</th><th>interval</th><th>trials' data</th></tr></thead><tbody>
${t.points.map(
  (p) =>
    html`<tr class="${p.verdict}"><td>${p.index}</td><td>${p.role}${p.knob === null ? '' : ` ${t.knobs[p.knob]?.label ?? ''}`}</td>${p.formatted.map((f) => html`<td>${f}</td>`)}<td class="v-${p.verdict}">${p.verdict}${p.stoppedBy === 'budget' ? ' (budget)' : p.verdict === 'unsettled' ? ' (counted as not meeting)' : ''}</td><td>${p.trials}${p.failed ? ` (${p.failed} failed)` : ''}${p.invalid ? ` (+${p.invalid} invalid, rerun)` : ''}</td><td>${formatMetric(metric, p.estimate.median)}</td><td>${p.estimate.low === null ? '–' : `${formatMetric(metric, p.estimate.low)} to ${formatMetric(metric, p.estimate.high)} (${((p.estimate.level ?? 0) * 100).toFixed(1)}%)`}</td><td>${p.dir}/ (report.html)</td></tr>`,
)}
</tbody></table>`;
}

const STYLE =
  raw(`body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;padding:0 1em;color:#1f2328}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
figure{margin:1.5em 0}figcaption{color:#59636e;font-size:12px;max-width:${W}px}.rec{font-size:16px;padding:.6em 1em;background:#f6f8fa;border-left:4px solid #0969da}
pre{background:#f6f8fa;padding:.6em;overflow:auto}.v-meets{color:#1a7f37}.v-violates{color:#cf222e}.v-unsettled{color:#bf8700}`);

export function renderTuneHtml(t: TuneFile): string {
  const rec = t.outcome.recommendation;
  const body = html`<h1>isobench tune: ${t.scenario.name}</h1>
<p>Victim <b>${t.victim}</b> in phase ${t.scenario.phase} (${joinHtml(t.scenario.containers, ', ')}); SLO <b>${t.slo.text}</b>; ${t.points.length} points, ${t.points.reduce((n, p) => n + p.trials, 0)} trials, ${Math.round(t.elapsedMs / 1000)} s${t.status === 'interrupted' ? ' (interrupted)' : ''}.</p>
<p class="rec">${t.outcome.text}${rec ? html`<br><code>${rec.set.map((s) => `--set ${s}`).join(' ')}</code>` : ''}</p>
<ul>${t.knobs.map((k, i) => {
    const b = t.outcome.brackets[i];
    return html`<li>${k.label}: ${k.looserRule}; ${
      b?.meets === null || b === undefined
        ? 'no value met the SLO'
        : `met at ${fmtKnob(k, b.meets)}${b.fails === null ? ' (the loosest end)' : `, not at ${fmtKnob(k, b.fails)}`}${b.withinResolution ? ` (within ${Math.round(t.rule.resolution * 100)}%)` : ' (bracket wider than the resolution)'}`
    }</li>`;
  })}</ul>
<h2>Search path and SLO</h2>
${t.knobs.map((_, i) => knobChart(t, i))}
${t.knobs.length === 2 ? html`<h2>Feasible region</h2>${planeChart(t)}` : ''}
<h2>Every point</h2>
${pointsTable(t)}
<h2>Rule</h2><p>${t.rule.text}</p>
<h2>Command</h2><pre>${t.command.join(' ')}</pre>
<p>Host ${t.host.hostname}, kernel ${t.host.kernel}, cgroup ${t.host.cgroup.mode}; tune.json schemaVersion ${t.schemaVersion}.</p>`;
  return htmlDocument({ title: `isobench tune: ${t.scenario.name}`, style: STYLE, body });
}

export function readTuneFile(dir: string): TuneFile {
  return tuneFileSchema.parse(JSON.parse(readFileSync(join(dir, 'tune.json'), 'utf8')));
}

/** Writes report.html of each point's results folder, then the tune's own report.html. */
export async function writeTuneReport(dir: string): Promise<string> {
  const t = readTuneFile(dir);
  for (const p of t.points) await writeReports(join(dir, p.dir));
  const path = join(dir, 'report.html');
  writeFileSync(path, renderTuneHtml(t));
  return path;
}
