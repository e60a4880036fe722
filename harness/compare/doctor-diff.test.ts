import { describe, expect, it } from 'vitest';
import { exampleDoctor, exampleResults } from '../results/example.js';
import { doctorDifferences, runDifferences } from './differences.js';

describe("compare's what differs: host verification", () => {
  const base = exampleResults(3);

  it('lists nothing when neither run verified its host, or both got the same verdicts', () => {
    expect(doctorDifferences(null, null)).toEqual([]);
    expect(doctorDifferences(exampleDoctor(), exampleDoctor())).toEqual([]);
    expect(runDifferences(base, base).items.filter((i) => i.field.startsWith('doctor'))).toEqual([]);
  });

  it('lists a run that verified its host against one that did not', () => {
    expect(doctorDifferences(null, exampleDoctor())).toEqual([
      { field: 'doctor', base: 'not run', cand: '3 pass, 0 fail, 2 not applicable' },
    ]);
  });

  it('lists each check whose verdict changed, with what each side measured or why', () => {
    const d = runDifferences(
      { ...base, doctor: exampleDoctor() },
      { ...base, doctor: exampleDoctor({ failing: true }) },
    );
    expect(d.items.filter((i) => i.field.startsWith('doctor'))).toEqual([
      { field: 'doctor.cpu-max', base: 'pass: 0.501 CPU', cand: 'fail: not as expected: 0.442 CPU' },
    ]);
    expect(d.notes).toContain("candidate's host verification failed cpu-max");
    expect(d.comparable).toBe(true);
  });

  it('lists a check that ran on one side only', () => {
    const fewer = exampleDoctor();
    fewer.checks = fewer.checks.filter((c) => c.name !== 'namespaces');
    expect(doctorDifferences(exampleDoctor(), fewer)).toEqual([
      { field: 'doctor.namespaces', base: 'pass: 6 of 6 new', cand: 'not run' },
    ]);
  });
});
