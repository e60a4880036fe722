/**
 * A run whose output has nowhere to go (its reader left: `| head`, a killed CI job or test
 * runner) still finishes its trials, writes its results and leaves nothing behind. Before, the
 * first failed write to stderr became an uncaught error whose report was another failed write: a
 * loop that grew to gigabytes and never ended the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect } from 'vitest';
import { readResults } from '../results/reader.js';
import { CLI, itWhen, leftoverCgroups, missingRoot, OPEN_GUARDS, ROOT } from '../testing/support.js';

const test = itWhen(missingRoot());
const dir = mkdtempSync(join(tmpdir(), 'isobench-output-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('isobench run with its output closed', () => {
  test('stdout and stderr into a reader that leaves after one byte: the run completes, exit 1 (a failed trial)', async () => {
    const out = join(dir, 'out');
    const scenario = join(ROOT, 'harness/run/testdata/killed.yaml');
    // `head -c 1` exits after the first byte of the first progress line: every later write of
    // isobench to stdout or stderr fails with EPIPE. PIPESTATUS[0] is isobench's own status.
    const r = await execa(
      'bash',
      [
        '-c',
        `node "$0" run "$1" --out "$2" ${OPEN_GUARDS.join(' ')} 2>&1 | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`,
        CLI,
        scenario,
        out,
      ],
      { reject: false, timeout: 110_000 },
    );
    expect(r.timedOut, 'isobench did not end').toBe(false);
    expect(r.stdout.trim()).toBe('1'); // killed.yaml's victim trial fails: exit-status.ts
    const results = readResults(out);
    expect(results.status).toBe('complete');
    expect(results.trials).toHaveLength(2);
    expect(leftoverCgroups()).toEqual([]);
  });
});
