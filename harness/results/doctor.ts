/**
 * The record of `isobench doctor` (harness/doctor): known-answer experiments that show whether
 * this host enforces what isobench measures. `isobench doctor --json` prints it, and
 * `isobench run --doctor` stores it in results.json as `doctor` (optional: schemaVersion 2 files
 * without it still read).
 */

/**
 * - `pass`: the kernel's counts match the known answer within the tolerance;
 * - `fail`: they do not, or the experiment could not run;
 * - `not-applicable`: this host cannot have the answer (no memory.high on v1, no BFQ or iocost for
 *   io.weight, a known limitation such as v1 buffered writeback); the reason says which.
 */
export type DoctorStatus = 'pass' | 'fail' | 'not-applicable';

export interface DoctorCheck {
  /** `cpu-weight`, `memory-max`, ... (what `--only` takes). */
  name: string;
  /** What the experiment does, in a line. */
  title: string;
  status: DoctorStatus;
  /** The known answer, in words and numbers. */
  expected: string;
  /** What the kernel (or the load generator) counted; null when nothing was measured. */
  measured: string | null;
  /** The tolerance around the known answer; null for a yes/no check. */
  tolerance: string | null;
  /** Why this status: what held, what was off, or why the check does not apply here. */
  reason: string;
  /** 2 when a failed rate check was run again (noise on a shared host); the second attempt decides. */
  attempts: number;
  /** What the first attempt measured and why it failed, when it was run again; else null. */
  firstAttempt: string | null;
  /** The raw figures behind `measured` (units in the names), for scripts. */
  figures: Record<string, number | string | boolean | null>;
  durationMs: number;
}

export interface DoctorRecord {
  startedAt: string;
  durationMs: number;
  /** `quick` (isobench run --doctor, doctor --quick), `full`, or `only` (doctor --only NAME...). */
  set: 'quick' | 'full' | 'only';
  host: { kernel: string; cgroupMode: string; cpus: number };
  /** The disk the io checks used (--io-path), or why there is none. */
  io: { path: string; device: string | null; scheduler: string | null; missing: string | null };
  checks: DoctorCheck[];
  summary: { pass: number; fail: number; notApplicable: number };
}
