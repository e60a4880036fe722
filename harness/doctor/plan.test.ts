/** What the doctor refuses before it creates anything, its catalog, its output and its record (no root). */
import { describe, expect, it } from 'vitest';
import { IsobenchError } from '../errors.js';
import type { DoctorCheck, DoctorRecord } from '../results/doctor.js';
import { doctorRecordSchema } from '../results/doctor-schema.js';
import { doctorIoPath } from '../run/doctor.js';
import { parseScenario } from '../scenario/parse.js';
import { CHECK_NAMES, CHECKS } from './catalog.js';
import { formatCheck, formatCheckLine, formatSummary } from './format.js';
import { doctorExitCode } from './main.js';
import { lastAllowedCpu, planDoctor } from './run.js';

const check = (over: Partial<DoctorCheck> = {}): DoctorCheck => ({
  name: 'cpu-max',
  title: 'cpu.max 50000 100000 on two CPU hogs',
  status: 'pass',
  expected: '0.50 CPU',
  measured: '0.501 CPU',
  tolerance: '±0.03 CPU',
  reason: 'cpu.max read back as 50000 100000',
  attempts: 1,
  firstAttempt: null,
  figures: { cpus: 0.501 },
  durationMs: 2300,
  ...over,
});

const record = (checks: DoctorCheck[]): DoctorRecord => ({
  startedAt: '2025-01-01T00:00:00.000Z',
  durationMs: 12_000,
  set: 'quick',
  host: { kernel: '6.1.0', cgroupMode: 'v2', cpus: 2 },
  io: { path: '/var/tmp', device: 'vda (254:0)', scheduler: 'none', missing: null },
  checks,
  summary: {
    pass: checks.filter((c) => c.status === 'pass').length,
    fail: checks.filter((c) => c.status === 'fail').length,
    notApplicable: checks.filter((c) => c.status === 'not-applicable').length,
  },
});

function thrown(fn: () => unknown): IsobenchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IsobenchError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('planDoctor refuses bad input before anything exists', () => {
  it('an unknown --only name: exit 2, naming it and the checks there are', () => {
    const err = thrown(() => planDoctor({ only: ['cpu-weight', 'cpu-wieght'] }));
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('ISOBENCH_DOCTOR_CHECK');
    expect(err.message).toContain('"cpu-wieght"');
    expect(err.message).toContain(CHECK_NAMES.join(', '));
  });
  it('an --io-path without a block device: exit 2, saying so', () => {
    const err = thrown(() => planDoctor({ ioPath: '/dev/shm' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/"\/dev\/shm" has no block device/);
  });
});

describe('the catalog', () => {
  it('has the checks the issue asks for, each once, the slow ones outside the quick set', () => {
    expect(CHECK_NAMES).toEqual([
      'namespaces',
      'memory-max',
      'memory-high',
      'pids-max',
      'cpu-weight',
      'cpu-max',
      'io-max',
      'io-writeback',
      'io-weight',
      'load-schedule',
      'load-stall',
      'null',
    ]);
    expect(CHECKS.filter((c) => !c.quick).map((c) => c.name)).toEqual([
      'load-schedule',
      'load-stall',
      'null',
    ]);
  });
  it('retries only what a busy host can disturb, never a yes/no check', () => {
    const retried = CHECKS.filter((c) => c.retry).map((c) => c.name);
    for (const n of ['namespaces', 'memory-max', 'memory-high', 'pids-max']) expect(retried).not.toContain(n);
  });
  it('loads every experiment module', async () => {
    for (const c of CHECKS) expect(typeof (await c.load())).toBe('function');
  });
});

describe('lastAllowedCpu', () => {
  it('reads the last CPU of Cpus_allowed_list', () => {
    expect(lastAllowedCpu('Name:\tnode\nCpus_allowed_list:\t0-1\n')).toBe(1);
    expect(lastAllowedCpu('Cpus_allowed_list:\t0,2-5,7\n')).toBe(7);
    expect(lastAllowedCpu('Cpus_allowed_list:\t0\n')).toBe(0);
  });
});

describe('output and exit status', () => {
  it('a check block shows expected, measured, tolerance and why; a retry says what the first attempt saw', () => {
    expect(formatCheck(check())).toMatch(
      /^PASS {2}cpu-max: .*\(2\.3 s\)\n {6}expected: {2}0\.50 CPU\n {6}measured: {2}0\.501 CPU\n {6}tolerance: ±0\.03 CPU\n {6}why: {7}cpu\.max/,
    );
    const twice = formatCheck(check({ attempts: 2, firstAttempt: '0.44 CPU (too low)' }));
    expect(twice).toContain('run twice: the first attempt failed: 0.44 CPU (too low)');
    expect(formatCheckLine(check({ status: 'not-applicable', reason: 'cgroup v1' }))).toBe(
      'N/A cpu-max: cgroup v1',
    );
  });
  it('exit 0 when every applicable check passed, 1 when one failed, 130 when interrupted', () => {
    const na = check({ name: 'io-weight', status: 'not-applicable' });
    expect(doctorExitCode(record([check(), na]), false)).toBe(0);
    expect(doctorExitCode(record([check(), check({ status: 'fail' })]), false)).toBe(1);
    expect(doctorExitCode(record([check()]), true)).toBe(130);
    expect(formatSummary(record([check(), check({ name: 'io-max', status: 'fail' }), na]), false)).toContain(
      '3 checks: 1 pass, 1 fail (io-max), 1 not applicable',
    );
  });
});

describe('the record', () => {
  it('validates against the results schema, and unknown keys are refused', () => {
    const r = record([check(), check({ name: 'io-weight', status: 'not-applicable', measured: null })]);
    expect(doctorRecordSchema.safeParse(r).success).toBe(true);
    expect(doctorRecordSchema.safeParse({ ...r, extra: 1 }).success).toBe(false);
    expect(doctorRecordSchema.safeParse({ ...r, checks: [{ ...check(), status: 'ok' }] }).success).toBe(
      false,
    );
  });
});

describe('run --doctor: where the io checks go', () => {
  const scenario = (db: string) =>
    parseScenario(
      `name: x\ncontainers:\n  web: { workload: web, load: { rate: 100 } }\n  db: { workload: db${db} }\n`,
      {
        file: 'x.yaml',
      },
    );
  it("the first container's ioPath, else the results folder (where the data dirs are)", () => {
    expect(doctorIoPath(scenario(', ioPath: /var/tmp'), '/r/out')).toBe('/var/tmp');
    expect(doctorIoPath(scenario(''), '/r/out')).toBe('/r/out');
  });
});
