/**
 * `isobench run --doctor` (or `doctor: true` in the scenario): the quick set of `isobench
 * doctor` runs after everything is validated and before the first trial, its record goes into
 * results.json (`doctor`), and the run goes on whatever it found: a failed check is a warning
 * here and a fact in the report, for the reader to weigh. The io checks use the disk of the
 * first container's ioPath, else the results folder's (where the containers' data dirs are).
 */
import type { DoctorRecord } from '../results/doctor.js';
import type { Scenario } from '../scenario/types.js';

export interface PreflightResult {
  record: DoctorRecord;
  interrupted: boolean;
}

export function doctorIoPath(scenario: Scenario, outDir: string): string {
  for (const cell of scenario.cells)
    for (const c of Object.values(cell.containers)) if (c.ioPath) return c.ioPath;
  return outDir;
}

export async function preflightDoctor(
  scenario: Scenario,
  outDir: string,
  opts: { cgroupParent?: string | undefined },
  log: (line: string) => void,
  /** The run's: aborted by its SIGINT/SIGTERM handlers (the doctor installs none of its own then). */
  signal?: AbortSignal,
): Promise<PreflightResult> {
  const [{ planDoctor, runDoctor }, { formatCheckLine, summaryLine }] = await Promise.all([
    import('../doctor/run.js'),
    import('../doctor/format.js'),
  ]);
  const plan = planDoctor({
    quick: true,
    defaultIoPath: doctorIoPath(scenario, outDir),
    ...(opts.cgroupParent ? { cgroupParent: opts.cgroupParent } : {}),
  });
  log(`host verification (isobench doctor --quick): ${plan.checks.length} checks`);
  const { record, interrupted } = await runDoctor(plan, (c) => log(`  ${formatCheckLine(c)}`), signal);
  log(`host verification: ${summaryLine(record)}`);
  if (record.summary.fail > 0) {
    log(
      'warning: a host verification check failed; the run goes on, and results.json and report.html record it',
    );
  }
  return { record, interrupted };
}
