/** The suite's table: one line per task (ours first, then its peers), goals beside the ratios. */
import type { BenchFile, BenchResult, BenchUnit, Goal, Measurement, PeerResult } from './types.js';

export function formatValue(v: number | null, unit: BenchUnit): string {
  if (v === null || !Number.isFinite(v)) return '-';
  if (unit === 'req/s') return `${v.toFixed(0)}/s`;
  if (unit === '% of a core') return `${v.toFixed(2)}%`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v < 1) return `${(v * 1000).toFixed(0)} µs`;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ms`;
}

const goalText = (g: Goal) => `${g.pass === null ? 'n/a ' : g.pass ? 'PASS' : 'FAIL'} ${g.text}`;
const COLUMNS = ['benchmark', 'task', 'median', 'p99', 'samples', 'peer', 'ratio', 'goal'];

function measuredCells(m: Measurement): string[] {
  return [m.name, formatValue(m.median, m.unit), formatValue(m.p99, m.unit), String(m.samples)];
}

function rowsOf(b: BenchResult): string[][] {
  if (b.status !== 'ok') return [[b.name, `${b.status}: ${b.reason}`, '', '', '', '', '', '']];
  const lines: string[][] = [[b.name, ...measuredCells(b.ours), '', '', '']];
  b.peers.forEach((p: PeerResult) => {
    if (p.status !== 'ok') {
      lines.push(['', `${p.name}: not applicable: ${p.reason}`, '', '', '', 'peer', '', '']);
      return;
    }
    const ratio = b.ratios[p.name];
    lines.push(['', ...measuredCells(p), 'peer', ratio === undefined ? '-' : `${ratio.toFixed(2)}x`, '']);
  });
  // A goal on a ratio sits on its peer's line; the others on ours, then on lines of their own.
  const peerLine = (g: Goal) => (g.peer ? b.peers.findIndex((p) => p.name === g.peer) + 1 : 0);
  const free = b.goals.filter((g) => peerLine(g) <= 0);
  for (const g of b.goals) {
    const at = peerLine(g);
    if (at <= 0) continue;
    const line = lines[at];
    if (line) line[7] = goalText(g);
  }
  let i = 0;
  for (const g of free) {
    while (lines[i]?.[7]) i++;
    const line = lines[i] ?? ['', '', '', '', '', '', '', ''];
    line[7] = goalText(g);
    lines[i] = line;
  }
  return lines;
}

export function formatTable(file: BenchFile): string {
  const body = file.benchmarks.flatMap(rowsOf);
  const all = [COLUMNS, ...body];
  // A not-applicable reason is long: it does not set the width of its column.
  const widths = COLUMNS.map((_, c) =>
    Math.max(...all.filter((r) => !(r[1] ?? '').includes(': ') || c !== 1).map((r) => (r[c] ?? '').length)),
  );
  const right = new Set([2, 3, 4, 6]);
  const line = (r: string[]) =>
    r
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  const notes = file.benchmarks.flatMap((b) =>
    b.status === 'ok' ? b.notes.map((n) => `  ${b.name}: ${n}`) : [],
  );
  const missed = file.benchmarks.flatMap((b) =>
    b.status === 'ok' ? b.goals.filter((g) => g.pass === false).map((g) => `${b.name} ${g.text}`) : [],
  );
  return [
    ...all.map(line),
    '',
    "ratio: our median over the peer's, both measured in this run (load-ceiling: higher is better; the rest: lower)",
    `host load average ${file.loadAverage.start.toFixed(2)} at start, ${file.loadAverage.end.toFixed(2)} at end (a shared host: figures are noisy)`,
    ...(notes.length ? ['notes:', ...notes] : []),
    missed.length ? `goals missed: ${missed.join('; ')}` : 'every judged goal met',
    '',
  ].join('\n');
}
