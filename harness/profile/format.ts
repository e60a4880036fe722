/** The text `profile` and `predict` print: a profile's curves, the predictions, predicted vs measured. */
import type { Estimate } from '../results/types.js';
import type { Footprint, Interval, PredictionFile, ProfileFile } from './types.js';

const f2 = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(2));
const f3 = (x: number | null | undefined) => (x == null ? '—' : x.toFixed(3));
const pct = (x: number | null | undefined) =>
  x == null ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;

export function formatEstimate(e: Estimate | Interval | null | undefined): string {
  if (!e || e.median == null) return '—';
  return `${f3(e.median)} [${f3(e.low)}, ${f3(e.high)}]`;
}

const MiB = 1024 * 1024;
export function formatFootprint(fp: Footprint): string {
  return [
    `cpu ${f2(fp.cpuCores)} cores`,
    `mem peak ${fp.memoryPeakBytes == null ? '—' : (fp.memoryPeakBytes / MiB).toFixed(0)} MiB`,
    `io ${fp.ioBytesPerSec == null ? '—' : (fp.ioBytesPerSec / MiB).toFixed(2)} MiB/s`,
    `pids peak ${fp.pidsPeak ?? '—'}`,
    `psi some cpu/mem/io ${[fp.psiCpuSome, fp.psiMemorySome, fp.psiIoSome].map(f3).join('/')}`,
  ].join(', ');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatProfile(p: ProfileFile, dir: string): string {
  const m = p.primaryMetric;
  const rows = [
    ['antagonist', 'intensity', 'received', `slowdown ${m ?? '(no metric)'} [95%]`, 'antagonist footprint'],
  ];
  for (const a of p.antagonists) {
    for (const pt of a.points) {
      rows.push([
        a.resource,
        String(pt.intensity),
        pt.receivedIntensity == null ? '—' : String(Math.round(pt.receivedIntensity * 10) / 10),
        m ? formatEstimate(pt.slowdown[m]) : '—',
        formatFootprint(pt.footprint),
      ]);
    }
  }
  return `isobench profile: ${p.container.name} (${p.container.workload}), ${p.run.trials} trials (${p.run.failedTrials} not ok), ${p.run.repetitions} repetitions\n${table(rows)}\n${p.container.name} solo footprint: ${formatFootprint(p.footprint)}\n${dir}/profile.json\n${dir}/profile.html\n`;
}

export function formatPredictions(file: PredictionFile): string {
  const lines: string[] = [];
  for (const p of file.predictions) {
    lines.push(
      `${p.victim} next to ${p.aggressor}: predicted ${p.metric} slowdown ${formatEstimate(p.predicted)} (product of the terms; worst single term ${f3(p.worstTerm?.median)})`,
    );
    for (const t of p.terms) {
      lines.push(
        `  ${t.resource.padEnd(6)} ${t.scaleFigure} ${t.aggressorFootprint == null ? '—' : t.aggressorFootprint.toPrecision(3)}${t.alreadyCounted ? ` (${t.alreadyCounted.toPrecision(3)} more counted by the other terms)` : ''} -> intensity ${t.intensity == null ? '—' : t.intensity.toFixed(1)}${t.clamped ? ' (clamped: beyond the scale)' : ''} -> ${formatEstimate(t.slowdown)}`,
      );
    }
    if (p.note) lines.push(`  note: ${p.note}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatValidation(file: PredictionFile): string {
  const v = file.validation;
  if (!v) return '';
  const rows = [
    ['victim', 'next to', 'metric', 'predicted', 'measured [95%]', 'error', 'within 10%', 'in interval'],
  ];
  for (const r of v.rows) {
    rows.push([
      r.victim,
      r.aggressor,
      r.metric,
      f3(r.predicted),
      formatEstimate(r.measured),
      pct(r.error),
      r.within10 == null ? '—' : r.within10 ? 'yes' : 'no',
      r.inInterval == null ? '—' : r.inInterval ? 'yes' : 'no',
      r.worstTerm == null || r.measured?.median == null
        ? '—'
        : `${f3(r.worstTerm)} (${pct(r.worstTerm / r.measured.median - 1)})`,
    ]);
  }
  return `predicted vs measured (${v.repetitions} repetitions of ${v.scenario}):\n${table(rows)}\n`;
}
