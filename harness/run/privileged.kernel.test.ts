/**
 * Containment in `isobench run`: a contained container writes its data dir and nothing else of the
 * host; `privileged: true` writes where it likes; each trial records which one ran how.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { readResults, readTrials } from '../results/reader.js';
import { isobench, itWhen, leftoverCgroups, missingRoot, OPEN_GUARDS } from '../testing/support.js';

const missing = missingRoot();
const test = itWhen(missing);

describe('isobench run: containment per container', () => {
  test('a contained container cannot write outside its data dir; privileged: true can; both recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isobench-run-privileged-'));
    // Outside /tmp (private in a contained container): the host's own /var/tmp.
    const marks = mkdtempSync('/var/tmp/isobench-marks-');
    try {
      // Each writes its data dir (its cwd) and tries a host dir; then idles until stopped. A
      // failed write ends the command early, which the trial records as a failure.
      const tries = (who: string) =>
        `"echo data > f || exit 3; touch ${marks}/${who} 2>/dev/null; exec sleep 60"`;
      const scenario = join(dir, 'privileged.yaml');
      writeFileSync(
        scenario,
        [
          'name: privileged',
          'duration: 1s',
          'warmup: 200ms',
          'repetitions: 1',
          'sampleInterval: 250ms',
          'containers:',
          '  boxed:',
          `    command: [sh, -c, ${tries('boxed')}]`,
          '  free:',
          `    command: [sh, -c, ${tries('free')}]`,
          '    privileged: true',
          'phases:',
          '  - { name: colocated, kind: colocated, containers: [boxed, free] }',
          '',
        ].join('\n'),
      );
      const out = join(dir, 'out');
      const r = await isobench(['run', scenario, '--out', out, ...OPEN_GUARDS]);
      expect(r.exitCode, r.stderr).toBe(0);
      const results = readResults(out);
      expect(results.trials.map((t) => t.status)).toEqual(['ok']);
      const byName = Object.fromEntries(results.trials[0]?.containers.map((c) => [c.name, c]) ?? []);
      expect(byName.boxed?.privileged).toBe(false);
      expect(byName.free?.privileged).toBe(true);
      expect(byName.boxed?.userns).toBeNull(); // as root: no user namespace
      expect(readTrials(out)[0]?.containers.map((c) => [c.name, c.privileged])).toEqual([
        ['boxed', false],
        ['free', true],
      ]);
      expect(existsSync(join(marks, 'boxed'))).toBe(false);
      expect(existsSync(join(marks, 'free'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(marks, { recursive: true, force: true });
    }
  });

  afterAll(() => {
    if (!missing) expect(leftoverCgroups()).toEqual([]);
  });
});
