/**
 * Renders report.html and summary.md from a results folder: results.json (required) and
 * samples.csv beside it (optional: without it the time-series section says so). Nothing is
 * re-run and nothing depends on the clock, so rendering one folder twice gives identical bytes
 * (`isobench report DIR` rebuilds exactly what `isobench run` wrote).
 */
import { join } from 'node:path';
import { resultsPaths } from '../harness/results/paths.js';
import { readResults } from '../harness/results/reader.js';
import type { ResultsFile } from '../harness/results/types.js';
import { writeFileAtomic } from '../harness/results/writer.js';
import { type ChartSpec, type ReportData, round4 } from './chartspec.js';
import { doctorHtml } from './doctor.js';
import { canvases, renderPage, type Section } from './html.js';
import { renderSummaryMarkdown } from './markdown.js';
import { percentileCharts } from './percentiles.js';
import { html, joinHtml, type SafeHtml } from './safe-html.js';
import { readSamples, type SamplesByTrial } from './samples.js';
import {
  commandHtml,
  headlineHtml,
  hostHtml,
  limitsHtml,
  matrixHtml,
  runtimesHtml,
  scenarioHtml,
} from './sections.js';
import { sweepAxis, sweepCharts, sweptSettings } from './sweep.js';
import { boundaries, POINTS_PER_SERIES, timeline, timeSeriesCharts } from './timeseries.js';
import { trialsHtml } from './trials.js';

export { renderSummaryMarkdown } from './markdown.js';

export const REPORT_HTML = 'report.html';
export const SUMMARY_MD = 'summary.md';

/** The HTML report for `results`, with time series from `samples` (null: none available). */
export function renderReportHtml(results: ResultsFile, samples: SamplesByTrial | null): string {
  const pct = percentileCharts(results);
  const ts = timeSeriesCharts(results, samples);
  const sweep = sweepCharts(results);
  const segments = timeline(results, samples);
  const last = segments[segments.length - 1];
  const data: ReportData = {
    boundaries: samples ? boundaries(results, samples) : [],
    endX: last ? round4(last.startS + last.lengthS) : 0,
    charts: [...pct, ...ts, ...sweep],
  };

  const tsBody = samples
    ? html`<p class="note">Trials laid end to end in run order (measured windows only; dashed vertical lines are trial boundaries, labelled cell · phase · repetition). Counters are rates between samples; each series is downsampled with LTTB to at most ${POINTS_PER_SERIES} points, the full data is in samples.csv. PSI is the share of time some / all (full, dashed) tasks of the group were stalled.</p>
${canvases(ts)}
${boundaryList(data.boundaries)}`
    : html`<p class="warn">No samples.csv beside results.json: time series are not available for this report.</p>`;

  const runtimes = runtimesHtml(results);
  const sections: Section[] = [
    { id: 'headline', title: 'Headline', body: headlineHtml(results) },
    {
      id: 'matrix',
      title: 'Interference matrix',
      body: html`<p class="note">Rows: the victim; columns: the cells (neighbours named in each entry). Each entry: slowdown of the tail latency and goodput (or transactions/s) ratio, co-located / solo within each repetition block, estimate [95% interval]; DNR = did not run to the end, with the reason.</p>
${matrixHtml(results)}`,
    },
    {
      id: 'percentiles',
      title: 'Latency percentiles',
      body:
        pct.length > 0
          ? html`<p class="note">From the trials' HDR histograms merged per cell and phase (coordinated-omission corrected for the web workload).</p>\n${canvases(pct)}`
          : html`<p class="note">No latency histograms were recorded.</p>`,
    },
    { id: 'timeseries', title: 'Time series per container', body: tsBody },
    { id: 'sweep', title: 'Sweep', body: sweepHtml(results, sweep) },
    { id: 'limits', title: 'Limits: requested and in force', body: limitsHtml(results) },
    ...(runtimes ? [{ id: 'runtimes', title: 'Container runtimes', body: runtimes }] : []),
    { id: 'trials', title: 'Trials: how each was measured', body: trialsHtml(results) },
    { id: 'doctor', title: 'Host verification', body: doctorHtml(results) },
    { id: 'host', title: 'Host', body: hostHtml(results) },
    { id: 'scenario', title: 'Scenario', body: scenarioHtml(results) },
    { id: 'command', title: 'Reproduce', body: commandHtml(results) },
  ];
  return renderPage({
    title: `isobench report: ${results.scenario.name}`,
    subtitle: `run ${results.runId} on ${results.host.hostname} (${results.host.kernel}, cgroup ${results.host.cgroup.mode}), ${results.startedAt}`,
    sections,
    data,
  });
}

/** The sweep section: the charts, and a table of each cell's swept settings. */
function sweepHtml(results: ResultsFile, charts: ChartSpec[]): SafeHtml {
  if (results.cells.length < 2) {
    return html`<p class="note">One cell: this scenario is not a sweep, so there is no setting to plot against.</p>`;
  }
  const swept = sweptSettings(results.cells);
  const axis = sweepAxis(results.cells);
  const codes = swept.map((k) => html`<code>${k}</code>`);
  const what =
    swept.length === 1
      ? html`swept setting ${codes}`
      : html`settings that change between cells: ${codes.length > 0 ? joinHtml(codes, ', ') : 'none'} (x axis: cell, in scenario order)`;
  const rows = results.cells.map(
    (c, i) =>
      html`<tr><td>${axis.labels[i]}</td><td>${c.name}</td>${swept.map((k) => html`<td>${String(c.settings[k] ?? 'unset')}</td>`)}</tr>`,
  );
  return html`<p class="note">${results.cells.length} cells; ${what}. Median with its 95% interval as a band; the dashed line is ×1 (no interference).</p>
${canvases(charts)}
<table><thead><tr><th>${axis.title}</th><th>cell</th>${swept.map((k) => html`<th><code>${k}</code></th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** Where each trial starts on the time axis; the charts label the lines themselves up to 16 trials. */
function boundaryList(list: ReportData['boundaries']): SafeHtml | null {
  if (list.length === 0) return null;
  const open = list.length > 16 ? html`<details open>` : html`<details>`;
  return html`${open}<summary>Trial start times on the time axis (${list.length} trials)</summary><p class="note">${joinHtml(
    list.map((b) => `${b.x} s: ${b.label}`),
    '; ',
  )}</p></details>`;
}

/** Both reports from a results folder's files. */
export async function renderReports(dir: string): Promise<{ html: string; markdown: string }> {
  const results = readResults(dir);
  const samples = await readSamples(resultsPaths(dir).samplesCsv);
  return { html: renderReportHtml(results, samples), markdown: renderSummaryMarkdown(results) };
}

/** Renders and writes report.html and summary.md into `dir`. */
export async function writeReports(dir: string): Promise<{ htmlPath: string; markdownPath: string }> {
  const { html, markdown } = await renderReports(dir);
  const htmlPath = join(dir, REPORT_HTML);
  const markdownPath = join(dir, SUMMARY_MD);
  writeFileAtomic(htmlPath, html);
  writeFileAtomic(markdownPath, markdown);
  return { htmlPath, markdownPath };
}
