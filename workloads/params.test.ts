import { describe, expect, it } from 'vitest';
import { UsageError } from '../harness/errors.js';
import { describeWorkloadParams, loadMain, WORKLOAD_NAMES, workloadMain } from './index.js';

async function usageError(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

describe('parameter validation (nothing starts on a bad value)', () => {
  it('rejects an unknown workload, quoting it', async () => {
    const err = await usageError(workloadMain('nope', []));
    expect(err.message).toContain('"nope"');
  });

  it('rejects an unknown parameter, quoting it', async () => {
    const err = await usageError(workloadMain('web', ['--bogus', '1']));
    expect(err.code).toBe('ISOBENCH_BAD_PARAM');
    expect(err.message).toContain("'--bogus'");
  });

  it('rejects out-of-range and malformed values, quoting them', async () => {
    expect((await usageError(workloadMain('cpu', ['--intensity', '150']))).message).toContain('"150"');
    expect((await usageError(workloadMain('web', ['--working-set', 'lots']))).message).toContain('"lots"');
    expect((await usageError(workloadMain('io', ['--path', '/tmp', '--mode', 'append']))).message).toContain(
      '"append"',
    );
    expect((await usageError(workloadMain('db', []))).code).toBe('ISOBENCH_MISSING_PARAM');
    expect((await usageError(workloadMain('web', ['--mode', 'pagecache']))).message).toContain('--data-file');
  });

  it('rejects bad load generator arguments, quoting them', async () => {
    const rate = await usageError(loadMain(['http://127.0.0.1:1/', '--rate', 'fast', '--duration', '1s']));
    expect(rate.message).toContain('"fast"');
    const url = await usageError(loadMain(['https://127.0.0.1/', '--rate', '1', '--duration', '1s']));
    expect(url.message).toContain('"https://127.0.0.1/"');
    const unknown = await usageError(
      loadMain(['http://127.0.0.1/', '--rate', '1', '--duration', '1s', '--pipelining', '4']),
    );
    expect(unknown.message).toContain('--pipelining');
  });

  it('describes every parameter of every workload', () => {
    for (const name of WORKLOAD_NAMES) expect(describeWorkloadParams(name)).toContain('--duration');
    expect(describeWorkloadParams('web')).toContain('--working-set');
  });
});
