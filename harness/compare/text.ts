/** The terminal output of `isobench compare`: differences, then one line per row with its bar. */
import type { CompareReport } from './compare.js';
import { asciiBar, fmtBand, fmtChange, fmtP, fmtValue, VERDICT_LABEL, verdictSummary } from './format.js';

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

export function formatText(report: CompareReport): string {
  const out: string[] = [];
  out.push(
    `isobench compare: base ${report.base.runId} (${report.base.scenario}, ${report.base.kernel}) vs candidate ${report.cand.runId} (${report.cand.scenario}, ${report.cand.kernel})`,
  );
  out.push(
    `threshold ${fmtBand(report)}; 95% bootstrap interval of candidate/base medians over trials; Mann-Whitney U, Holm-corrected over ${report.rows.filter((r) => r.pValue !== null).length} rows`,
  );
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
    const { min, max } = {
      min: fmtChange(1 - (4 * report.thresholdPct) / 100),
      max: fmtChange(1 + (4 * report.thresholdPct) / 100),
    };
    out.push(
      '',
      `bars: axis ${min} … ${max}, | band edges, = 95% interval, o ratio, < > beyond the axis`,
      '',
    );
    const rows = [
      [
        'cell',
        'container',
        'phase',
        'metric',
        'base',
        'candidate',
        'change',
        '95% interval',
        'interval vs band',
        'p(Holm)',
        'n',
        'verdict',
      ],
    ];
    for (const r of report.rows) {
      rows.push([
        r.cell,
        r.container,
        r.kind === 'slowdown' ? `slowdown ${r.phase}` : r.phase,
        r.metric,
        fmtValue(r, r.baseMedian),
        fmtValue(r, r.candMedian),
        fmtChange(r.ratio),
        r.low === null || r.high === null ? 'n/a' : `${fmtChange(r.low)} … ${fmtChange(r.high)}`,
        asciiBar(r, report.thresholdPct),
        fmtP(r.pHolm),
        `${r.nBase}/${r.nCand}`,
        VERDICT_LABEL[r.verdict],
      ]);
    }
    out.push(...table(rows));
    const explained = report.rows.filter((r) => r.verdict === 'regression' || r.verdict === 'inconclusive');
    if (explained.length > 0) {
      out.push('', 'why:');
      for (const r of explained) {
        out.push(
          `  ${r.verdict} ${r.cell} ${r.container} ${r.kind === 'slowdown' ? `slowdown ${r.phase}` : r.phase} ${r.metric}: ${r.why}`,
        );
      }
    }
  }
  out.push('', `verdict: ${verdictSummary(report)}`);
  return `${out.join('\n')}\n`;
}
