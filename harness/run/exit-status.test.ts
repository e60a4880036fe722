import { describe, expect, it } from 'vitest';
import type { TrialRecord } from '../results/types.js';
import { RUN_EXIT, runExitStatus } from './exit-status.js';

const trial = (status: TrialRecord['status']) => ({ status }) as TrialRecord;

describe('runExitStatus', () => {
  it('0 when every trial is ok or invalid, 1 with a failed trial, 130 when interrupted', () => {
    expect(runExitStatus(false, [trial('ok'), trial('invalid')])).toBe(RUN_EXIT.ok);
    expect(runExitStatus(false, [trial('ok'), trial('failed')])).toBe(1);
    expect(runExitStatus(false, [trial('failed'), trial('failed')])).toBe(1);
    expect(runExitStatus(true, [trial('failed')])).toBe(130);
    expect(runExitStatus(false, [])).toBe(0);
  });
});
