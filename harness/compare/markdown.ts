/**
 * The Markdown output: a verdict line, what differs, and a table whose bar column shows each
 * interval against the band. Sized for a CI step summary (GitHub's $GITHUB_STEP_SUMMARY).
 */
import type { CompareReport } from './compare.js';
import { asciiBar, fmtBand, fmtChange, fmtP, fmtValue, verdictSummary } from './format.js';

/** Text safe inside a Markdown table cell: no pipes, no HTML, no line breaks, no emphasis. */
export function mdCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/[|*_`[\]<>#]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

const MARK = { regression: '❌', improvement: '✅', 'no-change': '➖', inconclusive: '⚠️' } as const;

export function formatMarkdown(report: CompareReport): string {
  const out: string[] = [];
  out.push(`## isobench compare: ${MARK[report.overall]} ${report.overall}`, '');
  out.push(
    `Base \`${mdCell(report.base.runId)}\` (${mdCell(report.base.scenario)}, kernel ${mdCell(report.base.kernel)}) vs candidate \`${mdCell(report.cand.runId)}\` (${mdCell(report.cand.scenario)}, kernel ${mdCell(report.cand.kernel)}). Threshold ${fmtBand(report)}; ${mdCell(verdictSummary(report))}.`,
    '',
  );
  const d = report.differences;
  if (!d.comparable) {
    out.push('**Not comparable:**', '');
    for (const r of d.reasons) out.push(`- ${mdCell(r)}`);
    out.push('');
  }
  if (d.items.length > 0 || d.notes.length > 0) {
    out.push('<details><summary>What differs</summary>', '');
    for (const i of d.items) {
      out.push(
        `- ${mdCell(i.field)}: ${mdCell(i.base.replace(/\n/g, '; ') || '(nothing)')} → ${mdCell(i.cand.replace(/\n/g, '; ') || '(nothing)')}`,
      );
    }
    for (const n of d.notes) out.push(`- note: ${mdCell(n)}`);
    out.push('', '</details>', '');
  } else {
    out.push('Nothing recorded differs between the runs (an A/A comparison).', '');
  }
  if (report.rows.length > 0) {
    out.push(
      `| | cell | container | phase | metric | base | candidate | change [95% CI] | interval vs band ${fmtBand(report)} | p (Holm) | n | verdict |`,
      '|---|---|---|---|---|---:|---:|---|---|---:|---:|---|',
    );
    for (const r of report.rows) {
      const ci = r.low === null || r.high === null ? 'n/a' : `${fmtChange(r.low)} … ${fmtChange(r.high)}`;
      out.push(
        `| ${MARK[r.verdict]} | ${mdCell(r.cellName)} | ${mdCell(r.container)} | ${mdCell(r.kind === 'slowdown' ? `slowdown ${r.phase}` : r.phase)} | ${r.metric} | ${fmtValue(r, r.baseMedian)} | ${fmtValue(r, r.candMedian)} | ${fmtChange(r.ratio)} [${ci}] | \`${asciiBar(r, report.thresholdPct)}\` | ${fmtP(r.pHolm)} | ${r.nBase}/${r.nCand} | ${r.verdict} |`,
      );
    }
    out.push('', `Bars: \`|\` band edges, \`=\` 95% interval, \`o\` ratio, \`<\` \`>\` beyond the axis.`, '');
    const explained = report.rows.filter((r) => r.verdict === 'regression' || r.verdict === 'inconclusive');
    if (explained.length > 0) {
      out.push('<details><summary>Why</summary>', '');
      for (const r of explained) {
        out.push(
          `- **${r.verdict}** ${mdCell(`${r.cellName} ${r.container} ${r.kind === 'slowdown' ? `slowdown ${r.phase}` : r.phase} ${r.metric}`)}: ${mdCell(r.why)}`,
        );
      }
      out.push('', '</details>', '');
    }
  }
  return `${out.join('\n')}\n`;
}
