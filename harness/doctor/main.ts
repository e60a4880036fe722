/**
 * `isobench doctor [--json] [--quick] [--only NAME]... [--io-path PATH]`: known-answer
 * experiments in real containers that show whether this host enforces what isobench measures.
 *
 * Exit status: 0 when every applicable check passed, 1 when one failed, 2 on bad input (nothing
 * is created), 130 when interrupted (what was created is removed first).
 */
import type { DoctorRecord } from '../results/doctor.js';
import { formatCheck, formatHeader, formatSummary } from './format.js';
import { type DoctorOptions, planDoctor, runDoctor } from './run.js';

export interface DoctorMainOptions extends DoctorOptions {
  json?: boolean;
}

export function doctorExitCode(record: DoctorRecord, interrupted: boolean): number {
  if (interrupted) return 130;
  return record.summary.fail > 0 ? 1 : 0;
}

export async function doctorMain(opts: DoctorMainOptions): Promise<number> {
  const plan = planDoctor(opts);
  const out = (text: string) => {
    if (!opts.json) process.stdout.write(text);
  };
  out(formatHeader(plan.header, plan.checks.length));
  const { record, interrupted } = await runDoctor(plan, (c) => out(formatCheck(c)));
  if (opts.json) process.stdout.write(`${JSON.stringify(record)}\n`);
  else out(formatSummary(record, interrupted));
  return doctorExitCode(record, interrupted);
}
