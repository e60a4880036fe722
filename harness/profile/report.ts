/**
 * profile.html and prediction.html: self-contained pages without scripts (inline SVG), in the
 * frame every isobench page uses (reports/document.ts: a CSP that forbids every fetch). The
 * sensitivity curves: the container's slowdown against each antagonist's intensity, the median as
 * a line and its 95% interval as a bar at each measured point; the antagonists' footprints; and
 * for a prediction, each term and predicted vs measured.
 */
import { htmlDocument } from '../../reports/document.js';
import { html, raw, type SafeHtml } from '../../reports/safe-html.js';
import type { MetricName } from '../results/types.js';
import { formatEstimate, formatFootprint } from './format.js';
import type { AntagonistCurve, PredictionFile, ProfileFile } from './types.js';

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b2631}
h1{font-size:22px}h2{font-size:17px;margin-top:1.5em}
table{border-collapse:collapse;font-size:13px}td,th{padding:3px 6px;border-bottom:1px solid #e5e8e8;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.charts{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:12px;color:#566573}
.miss{color:#b03a2e}.hit{color:#1e8449}`;

const W = 300;
const H = 200;
const L = 44;
const B = 28;
const T = 10;
const R = 10;
const f = (n: number) => n.toFixed(1);

/** One antagonist's curve of `metric`: slowdown (y) against intensity 0..100 (x), solo = 1 at 0 when 0 was not measured. */
export function curveSvg(
  curve: AntagonistCurve,
  metric: MetricName,
  mark?: { intensity: number; slowdown: number },
): SafeHtml {
  const pts = curve.points
    .map((p) => ({ x: p.intensity, e: p.slowdown[metric] }))
    .filter((p) => p.e?.median != null) as {
    x: number;
    e: { median: number; low: number | null; high: number | null };
  }[];
  const line = pts.some((p) => p.x === 0) ? pts : [{ x: 0, e: { median: 1, low: 1, high: 1 } }, ...pts];
  const ys = line.flatMap((p) => [p.e.median, p.e.low ?? p.e.median, p.e.high ?? p.e.median]);
  if (mark) ys.push(mark.slowdown);
  const lo = Math.min(1, ...ys);
  const hi = Math.max(1, ...ys);
  const pad = (hi - lo) * 0.08 || 0.05;
  const y0 = lo - pad;
  const y1 = hi + pad;
  const X = (x: number) => L + ((W - L - R) * x) / 100;
  const Y = (y: number) => T + ((H - T - B) * (y1 - y)) / (y1 - y0);
  const path = line.map((p, i) => `${i ? 'L' : 'M'}${f(X(p.x))},${f(Y(p.e.median))}`).join(' ');
  const ticks = [0, 25, 50, 75, 100];
  const yTicks = [y0 + pad, (y0 + y1) / 2, y1 - pad];
  return html`<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${`${curve.resource} sensitivity`}">
<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#d5d8dc"/>
<line x1="${L}" x2="${W - R}" y1="${f(Y(1))}" y2="${f(Y(1))}" stroke="#aab7b8" stroke-dasharray="4 3"/>
${ticks.map((t) => html`<text x="${f(X(t))}" y="${H - B + 14}" font-size="10" text-anchor="middle" fill="#566573">${t}</text>`)}
<text x="${f(X(50))}" y="${H - 2}" font-size="10" text-anchor="middle" fill="#566573">${`${curve.resource} intensity (%)`}</text>
${yTicks.map((t) => html`<text x="${L - 4}" y="${f(Y(t) + 3)}" font-size="10" text-anchor="end" fill="#566573">${t.toFixed(2)}</text>`)}
${pts.map((p) =>
  p.e.low != null && p.e.high != null
    ? html`<line x1="${f(X(p.x))}" x2="${f(X(p.x))}" y1="${f(Y(p.e.low))}" y2="${f(Y(p.e.high))}" stroke="#5dade2" stroke-width="3"/>`
    : null,
)}
<path d="${path}" fill="none" stroke="#1f618d" stroke-width="1.5"/>
${line.map((p) =>
  // Hollow: a point without an interval (fewer than 6 valid blocks), not to be read like the others.
  p.e.low == null || p.e.high == null
    ? html`<circle cx="${f(X(p.x))}" cy="${f(Y(p.e.median))}" r="3" fill="#ffffff" stroke="#1f618d"/>`
    : html`<circle cx="${f(X(p.x))}" cy="${f(Y(p.e.median))}" r="2.5" fill="#1f618d"/>`,
)}
${mark ? html`<circle cx="${f(X(mark.intensity))}" cy="${f(Y(mark.slowdown))}" r="4" fill="none" stroke="#b03a2e" stroke-width="2"/>` : null}
</svg>`;
}

function curvesSection(
  p: ProfileFile,
  metric: MetricName,
  marks: Map<string, { intensity: number; slowdown: number }> = new Map(),
): SafeHtml {
  return html`<div class="charts">${p.antagonists.map(
    (a) =>
      html`<figure>${curveSvg(a, metric, marks.get(a.resource))}<figcaption>${`${p.container.name} ${metric} slowdown next to ${a.workload} (${JSON.stringify(a.params)})`}</figcaption></figure>`,
  )}</div>`;
}

function pointsTable(p: ProfileFile): SafeHtml {
  const metrics = curveMetrics(p);
  return html`<table><tr><th>antagonist</th><th>intensity</th><th>received</th><th>blocks</th>${metrics.map((m) => html`<th>${m} slowdown [95%]</th>`)}<th>antagonist alone: footprint</th></tr>
${p.antagonists.flatMap((a) =>
  a.points.map(
    (pt) =>
      html`<tr><td>${a.resource}</td><td class="num">${pt.intensity}</td><td class="num">${pt.receivedIntensity == null ? '—' : pt.receivedIntensity.toFixed(1)}</td><td class="num">${metrics[0] ? (pt.slowdown[metrics[0]]?.n ?? 0) : '—'}</td>${metrics.map((m) => html`<td class="num">${formatEstimate(pt.slowdown[m])}</td>`)}<td>${formatFootprint(pt.footprint)}</td></tr>`,
  ),
)}</table><p>${'Every metric of every point is in profile.json; the run’s own report has the trials.'}</p>`;
}

/** The primary metric's curves, then the tail and rate figures the container has. */
function curveMetrics(p: ProfileFile): MetricName[] {
  const wanted: MetricName[] = [
    ...(p.primaryMetric ? [p.primaryMetric] : []),
    'latencyP99Us',
    'commitP99Us',
    'txnPerSec',
  ];
  return [...new Set(wanted)].filter((m) => p.metrics.includes(m));
}

export function renderProfileHtml(p: ProfileFile): string {
  const metric = p.primaryMetric;
  const body = html`<h1>${`isobench profile: ${p.container.name}`}</h1>
<p>${`${p.container.workload} from ${p.scenario.file}; ${p.run.trials} trials (${p.run.failedTrials} not ok), ${p.run.repetitions} repetitions of ${p.run.durationMs} ms after ${p.run.warmupMs} ms warm-up; host ${p.host.hostname}, kernel ${p.host.kernel}, ${p.host.cpus} CPUs. The run's own report: ${p.run.dir}/report.html.`}</p>
<h2>Sensitivity curves</h2>
${metric ? curveMetrics(p).map((m) => curvesSection(p, m)) : html`<p>${`${p.container.name} reports no metric with a slowdown: it has a footprint but no sensitivity curve.`}</p>`}
<p>${'Slowdown = co-located / solo within each repetition block (Hodges-Lehmann estimate, bars: Wilcoxon signed-rank 95% interval; none below 6 valid blocks, drawn hollow). Below 1 for a rate means slower. Intensity 0 without a measured point is solo (slowdown 1).'}</p>
<h2>Points</h2>
${pointsTable(p)}
<h2>Footprint as an aggressor</h2>
<p>${`${p.container.name} solo under its own load: ${formatFootprint(p.footprint)} (medians of ${p.footprint.trials} trials).`}</p>`;
  return htmlDocument({ title: `isobench profile ${p.container.name}`, style: raw(CSS), body });
}

export function renderPredictionHtml(file: PredictionFile, profiles: readonly ProfileFile[]): string {
  const byName = new Map(profiles.map((p) => [p.container.name, p]));
  const v = file.validation;
  const sections = file.predictions.map((pr) => {
    const victim = byName.get(pr.victim);
    const marks = new Map(
      pr.terms.flatMap((t) =>
        t.intensity != null && t.slowdown
          ? [[t.resource, { intensity: t.intensity, slowdown: t.slowdown.median }]]
          : [],
      ) as [string, { intensity: number; slowdown: number }][],
    );
    return html`<h2>${`${pr.victim} next to ${pr.aggressor}: ${pr.metric} ×${pr.predicted?.median.toFixed(3) ?? '—'}`}</h2>
<table><tr><th>resource</th><th>${`${pr.aggressor} footprint`}</th><th>equivalent intensity</th><th>${`${pr.victim} slowdown there`}</th></tr>
${pr.terms.map((t) => html`<tr><td>${t.resource}</td><td class="num">${`${t.scaleFigure} ${t.aggressorFootprint == null ? '—' : t.aggressorFootprint.toPrecision(3)}${t.alreadyCounted ? ` (+${t.alreadyCounted.toPrecision(3)} counted by the other terms)` : ''}`}</td><td class="num">${t.intensity == null ? '—' : `${t.intensity.toFixed(1)}${t.clamped ? ' (clamped)' : ''}`}</td><td class="num">${formatEstimate(t.slowdown)}</td></tr>`)}
<tr><td>product</td><td></td><td></td><td class="num">${formatEstimate(pr.predicted)}</td></tr></table>
${pr.note ? html`<p>${pr.note}</p>` : null}
${victim ? curvesSection(victim, pr.metric, marks) : null}`;
  });
  const table = v
    ? html`<h2>Predicted vs measured</h2><p>${`${v.repetitions} repetitions of the real pair from ${v.scenario} (results: ${v.dir}).`}</p>
<table><tr><th>victim</th><th>next to</th><th>metric</th><th>predicted</th><th>measured [95%]</th><th>error</th><th>within 10%</th><th>in interval</th><th>worst term</th></tr>
${v.rows.map((r) => html`<tr><td>${r.victim}</td><td>${r.aggressor}</td><td>${r.metric}</td><td class="num">${r.predicted?.toFixed(3) ?? '—'}</td><td class="num">${formatEstimate(r.measured)}</td><td class="num">${r.error == null ? '—' : `${(r.error * 100).toFixed(1)}%`}</td><td class="${r.within10 ? 'hit' : 'miss'}">${r.within10 == null ? '—' : r.within10 ? 'yes' : 'no'}</td><td>${r.inInterval == null ? '—' : r.inInterval ? 'yes' : 'no'}</td><td class="num">${r.worstTerm?.toFixed(3) ?? '—'}</td></tr>`)}</table>`
    : null;
  const body = html`<h1>${`isobench predict: ${file.predictions.map((p) => `${p.victim} ← ${p.aggressor}`).join(', ')}`}</h1>
<p>${'Each term: the aggressor’s solo footprint read on that antagonist’s footprint curve gives an equivalent intensity (circle on the curve), where the victim’s sensitivity curve gives its slowdown; the terms multiply (bounds multiply too: not a 95% interval).'}</p>
${table}${sections}`;
  return htmlDocument({ title: 'isobench predict', style: raw(CSS), body });
}
