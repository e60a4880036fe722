/**
 * The Markdown output: a verdict line, what differs, and a table whose bar column shows each
 * interval against the band. Sized for a CI step summary (GitHub's $GITHUB_STEP_SUMMARY).
 */
import type { CompareReport } from './compare.js';
import {
  asciiBar,
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

/** Text safe inside a Markdown table cell: no pipes, no HTML, no line breaks, no emphasis. */
export function mdCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/[|*_`[\]<>#]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, ' ');
}

const MARK = {
  regression: '❌',
  improvement: '✅',
  'no-change': '➖',
  inconclusive: '⚠️',
  excluded: '◌',
} as const;

export function formatMarkdown(report: CompareReport): string {
  const out: string[] = [];
  out.push(`## isobench compare: ${MARK[report.overall]} ${report.overall}`, '');
  out.push(
    `Base \`${mdCell(report.base.runId)}\` (${mdCell(report.base.scenario)}, kernel ${mdCell(report.base.kernel)}) vs candidate \`${mdCell(report.cand.runId)}\` (${mdCell(report.cand.scenario)}, kernel ${mdCell(report.cand.kernel)}). Threshold ${fmtBand(report)}; ${mdCell(verdictSummary(report))}.`,
    '',
    `Method: ${mdCell(report.method.text)}. Rule: ${mdCell(ruleText(report))}.${report.levels.looks ? ` Design: ${mdCell(report.levels.text)}.` : ''}`,
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
      `| | cell | container | phase | metric | base | candidate | change [${Math.round(report.levels.interval * 1000) / 10}% CI] | interval vs band | p (Holm) | n | verdict |`,
      '|---|---|---|---|---|---:|---:|---|---|---:|---:|---|',
    );
    for (const r of report.rows) {
      out.push(
        `| ${MARK[r.verdict]} | ${mdCell(r.cellName)} | ${mdCell(r.container)} | ${mdCell(phaseLabel(r))} | ${r.metric} | ${fmtValue(r, r.baseMedian)} | ${fmtValue(r, r.candMedian)} | ${fmtEstimate(r, r.estimate)} [${fmtInterval(r, r.low, r.high)}] | \`${asciiBar(r)}\` | ${fmtP(r.pHolm)} | ${fmtN(r)} | ${r.verdict} |`,
      );
    }
    out.push('', `Bars: \`|\` band edges, \`=\` interval, \`o\` estimate, \`<\` \`>\` beyond the axis.`, '');
    const explained = report.rows.filter((r) => r.verdict !== 'no-change' && r.verdict !== 'improvement');
    if (explained.length > 0) {
      out.push('<details><summary>Why</summary>', '');
      for (const r of explained) {
        out.push(
          `- **${r.verdict}** ${mdCell(`${r.cellName} ${r.container} ${phaseLabel(r)} ${r.metric}`)}: ${mdCell(r.why)}`,
        );
      }
      out.push('', '</details>', '');
    }
  }
  return `${out.join('\n')}\n`;
}
