/** The terminal output of `isobench compare`: method and rule, differences, then one line per row with its bar. */
import type { CompareReport } from './compare.js';
import {
  asciiBar,
  barAxis,
  fmtChange,
  fmtEstimate,
  fmtInterval,
  fmtLevel,
  fmtN,
  fmtP,
  fmtPoints,
  fmtValue,
  phaseLabel,
  rowColumns,
  VERDICT_LABEL,
  verdictSummary,
} from './format.js';

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...c].length);
    });
  }
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length)))
      .join('  ')
      .trimEnd(),
  );
}

const side = (l: CompareReport['base']) =>
  `${l.runId}${l.variant ? ` (variant ${l.variant})` : ''} (${l.scenario}, ${l.kernel})`;

/** The rule in one sentence, with this report's levels and family size. */
export function ruleText(report: CompareReport): string {
  const family = report.rows.filter((r) => r.pHolm !== null).length;
  return `threshold ±${report.thresholdPct}% (error and timeout fractions ±${fmtPoints(report.fractionBand).slice(1)}); regression/improvement: the ${fmtLevel(report.levels.interval)} interval entirely beyond the band and the Holm-corrected test (over ${family} rows) significant; no-change: the ${fmtLevel(report.levels.equivalence)} interval inside the band; tail percentiles with fewer than ${report.tailMinSamples} values beyond them in a trial are left out`;
}

export function formatText(report: CompareReport): string {
  const out: string[] = [];
  out.push(`isobench compare: base ${side(report.base)} vs candidate ${side(report.cand)}`);
  out.push(`method: ${report.method.text}`);
  out.push(`rule: ${ruleText(report)}`);
  if (report.levels.looks) out.push(`design: ${report.levels.text}`);
  const d = report.differences;
  if (!d.comparable) {
    out.push('', 'not comparable:');
    for (const r of d.reasons) out.push(`  ${r}`);
  }
  out.push('', d.items.length === 0 ? 'what differs: nothing recorded (an A/A comparison)' : 'what differs:');
  for (const item of d.items) {
    if (item.field === 'scenario.text') {
      out.push('  scenario.text:');
      for (const l of item.base.split('\n').filter(Boolean)) out.push(`    - ${l}`);
      for (const l of item.cand.split('\n').filter(Boolean)) out.push(`    + ${l}`);
    } else {
      out.push(`  ${item.field}: ${item.base} -> ${item.cand}`);
    }
  }
  for (const n of d.notes) out.push(`  note: ${n}`);
  if (report.rows.length > 0) {
    const ratio = barAxis(report.band);
    const pp = barAxis({ low: -report.fractionBand, high: report.fractionBand });
    out.push(
      '',
      `bars: axis ${fmtChange(ratio.min)} … ${fmtChange(ratio.max)} (pp rows ${fmtPoints(pp.min)} … ${fmtPoints(pp.max)}), | band edges, = ${fmtLevel(report.levels.interval)} interval, o estimate, < > beyond the axis`,
      '',
    );
    const rows = [rowColumns(report)];
    for (const r of report.rows) {
      rows.push([
        r.cell,
        r.container,
        phaseLabel(r),
        r.metric,
        fmtValue(r, r.baseMedian),
        fmtValue(r, r.candMedian),
        fmtEstimate(r, r.estimate),
        fmtInterval(r, r.low, r.high),
        asciiBar(r),
        fmtP(r.pHolm),
        fmtN(r),
        VERDICT_LABEL[r.verdict],
      ]);
    }
    out.push(...table(rows));
    const explained = report.rows.filter((r) => r.verdict === 'regression' || r.verdict === 'inconclusive');
    if (explained.length > 0) {
      out.push('', 'why:');
      for (const r of explained) {
        out.push(`  ${r.verdict} ${r.cell} ${r.container} ${phaseLabel(r)} ${r.metric}: ${r.why}`);
      }
    }
    const excluded = report.rows.filter((r) => r.verdict === 'excluded');
    if (excluded.length > 0) {
      out.push(
        '',
        `left out of verdicts (thin tails, fewer than ${report.tailMinSamples} values beyond the percentile in a trial; --tail-min-samples 0 judges them):`,
      );
      for (const r of excluded) {
        out.push(
          `  ${r.cell} ${r.container} ${phaseLabel(r)} ${r.metric}: as few as ${r.tailSamples} beyond`,
        );
      }
    }
  }
  out.push('', `verdict: ${verdictSummary(report)}`);
  return `${out.join('\n')}\n`;
}
