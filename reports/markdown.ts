/**
 * summary.md: the headline figures as one short Markdown table, small enough for a CI step
 * summary ($GITHUB_STEP_SUMMARY) or a PR comment. Details live in report.html.
 */
import type { ResultsFile } from '../harness/results/types.js';
import { escapeMarkdownCell as cell } from './escape.js';
import { allVerdicts, formatRatio, METRIC_LABELS, type MetricVerdict } from './headline.js';

const STATUS_TEXT = {
  hurt: '❌ hurt',
  protected: '✅ protected',
  inconclusive: '⚠️ unclear',
  dnr: '⛔ DNR',
  'no-baseline': '– no baseline',
} as const;

function figure(v: MetricVerdict | null): string {
  if (!v) return '–';
  return `${METRIC_LABELS[v.metric] ?? v.metric} ${formatRatio(v.estimate)}`;
}

export function renderSummaryMarkdown(results: ResultsFile): string {
  const ok = results.trials.filter((t) => t.status === 'ok').length;
  const invalid = results.trials.filter((t) => t.status === 'invalid').length;
  const lines = [
    `### isobench: ${cell(results.scenario.name)}`,
    '',
    `Run \`${cell(results.runId)}\` (${results.status}) on ${cell(results.host.hostname)}, kernel ${cell(results.host.kernel)}, cgroup ${cell(results.host.cgroup.mode)}: ${ok} of ${results.trials.length} trials ok${invalid > 0 ? ` (${invalid} invalid: a guard was exceeded; left out, each rerun once)` : ''}. Slowdown = co-located / solo within each repetition block, estimate [95% interval] (no interval below 6 trials); hurt means the tail latency above ×1.1 or goodput / transactions/s below ×0.9 with the whole interval.`,
    '',
    '| cell | container | next to | verdict | latency | goodput or tx/s | trials (failed) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const v of allVerdicts(results)) {
    lines.push(
      `| ${[
        cell(v.cellName),
        cell(v.container),
        cell(v.neighbours.join(', ') || '–'),
        STATUS_TEXT[v.status],
        cell(figure(v.latency)),
        cell(figure(v.throughput)),
        `${v.trials}${v.failed > 0 ? ` (${v.failed})` : ''}`,
      ].join(' | ')} |`,
    );
  }
  const notes = [...new Set(allVerdicts(results).flatMap((v) => v.notes))];
  if (notes.length > 0) lines.push('', `Not judged: ${notes.map(cell).join('; ')}.`);
  const failures = allVerdicts(results).flatMap((v) => v.failures);
  const seen = new Set<string>();
  const unique = failures.filter((f) => !seen.has(f.trial) && seen.add(f.trial));
  if (unique.length > 0) {
    lines.push(
      '',
      `Failed trials (DNR): ${unique.map((f) => `${cell(f.trial)}: ${cell(f.reason)}`).join('; ')}`,
    );
  }
  lines.push('', 'Full report: `report.html` in the results folder.', '');
  return lines.join('\n');
}
