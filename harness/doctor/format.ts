/** The text form of `isobench doctor`: a header, one block per check as it finishes, a summary. */
import type { DoctorCheck, DoctorRecord } from '../results/doctor.js';

const LABEL: Record<DoctorCheck['status'], string> = {
  pass: 'PASS',
  fail: 'FAIL',
  'not-applicable': 'N/A ',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatHeader(r: Pick<DoctorRecord, 'set' | 'host' | 'io'>, checks: number): string {
  const io = r.io.device
    ? `${r.io.path}: ${r.io.device}, scheduler ${r.io.scheduler ?? 'unknown'}`
    : `none (${r.io.missing})`;
  return `isobench doctor: ${plural(checks, 'check')} (${r.set} set) on kernel ${r.host.kernel}, cgroup ${r.host.cgroupMode}, ${r.host.cpus} CPUs\nio checks on ${io}\n\n`;
}

export function formatCheck(c: DoctorCheck): string {
  const row = (label: string, text: string) => `      ${`${label}:`.padEnd(11)}${text}`;
  const lines = [`${LABEL[c.status]}  ${c.name}: ${c.title} (${(c.durationMs / 1000).toFixed(1)} s)`];
  lines.push(row('expected', c.expected));
  if (c.measured !== null) lines.push(row('measured', c.measured));
  if (c.tolerance !== null) lines.push(row('tolerance', c.tolerance));
  if (c.attempts > 1) lines.push(row('run twice', `the first attempt failed: ${c.firstAttempt}`));
  lines.push(
    row(c.status === 'not-applicable' ? 'not here' : c.status === 'fail' ? 'failed' : 'why', c.reason),
  );
  return `${lines.join('\n')}\n`;
}

/** One line per check, for `isobench run --doctor`'s progress. */
export function formatCheckLine(c: DoctorCheck): string {
  const what = c.status === 'pass' ? (c.measured ?? c.reason) : c.reason;
  return `${LABEL[c.status].trim()} ${c.name}: ${what}${c.attempts > 1 ? ' (run twice)' : ''}`;
}

/** `9 checks: 7 pass, 1 fail (io-max), 1 not applicable, 38 s` */
export function summaryLine(r: DoctorRecord): string {
  const s = r.summary;
  const failed = r.checks.filter((c) => c.status === 'fail').map((c) => c.name);
  return `${plural(r.checks.length, 'check')}: ${s.pass} pass, ${s.fail} fail${failed.length ? ` (${failed.join(', ')})` : ''}, ${s.notApplicable} not applicable, ${(r.durationMs / 1000).toFixed(0)} s`;
}

export function formatSummary(r: DoctorRecord, interrupted: boolean): string {
  const verdict = interrupted
    ? 'interrupted'
    : r.summary.fail > 0
      ? 'a check failed: isobench figures from this host may not mean what they say'
      : 'every applicable check passed';
  return `\n${summaryLine(r)}: ${verdict}\n`;
}
