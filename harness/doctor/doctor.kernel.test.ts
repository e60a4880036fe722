/**
 * `isobench doctor` on this host's kernel, as a process: the quick set's record, the checks
 * whose answer does not depend on how busy the machine is (namespaces, OOM kill, fork bomb,
 * limits read back) passing, nothing left behind; bad input refused before anything exists;
 * `isobench run --doctor` recording the checks in results.json and report.html. Rate checks are
 * reported, not asserted: their figures depend on the other work on the machine.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { detectCgroups } from '../cgroup/detect.js';
import type { DoctorRecord, ResultsFile } from '../results/types.js';
import { stateDir } from '../teardown/registry.js';
import { expectQuickRecord } from '../testing/doctor.js';
import { readdirSafe } from '../testing/kernel.js';
import { ioTestDir, isobench, itWhen, leftoverCgroups, missingRoot } from '../testing/support.js';

const missing = missingRoot();
const test = itWhen(missing);
const mode = missing ? 'unknown' : detectCgroups().mode;
const io = ioTestDir();
describe(`isobench doctor (${mode})`, () => {
  test('--quick --json: the record of the quick set; the deterministic checks pass; nothing left', async () => {
    const args = ['doctor', '--quick', '--json', ...(io.dir ? ['--io-path', io.dir] : [])];
    const r = await isobench(args, { timeoutMs: 300_000 });
    const record = JSON.parse(r.stdout.trim()) as DoctorRecord;
    process.stdout.write(
      `doctor --quick here: ${record.checks.map((c) => `${c.name} ${c.status}${c.measured ? ` (${c.measured})` : ''}`).join('; ')}\n`,
    );
    expectQuickRecord(record, mode);
    // Exit 0 exactly when no check failed.
    expect(r.exitCode).toBe(record.summary.fail > 0 ? 1 : 0);
    if (io.dir) {
      expect(record.io.device).toMatch(/\(\d+:\d+\)$/);
      expect(readdirSync(io.dir).filter((f) => f.startsWith('.isobench-doctor-'))).toEqual([]);
    }
    expect(leftoverCgroups()).toEqual([]);
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown check', ['--only', 'nosuch'], /ISOBENCH_DOCTOR_CHECK: --only "nosuch": no such check/],
    ['an io path without a disk', ['--io-path', '/dev/shm'], /"\/dev\/shm" has no block device/],
  ];
  for (const [what, args, message] of bad) {
    test(`bad input (${what}): exit 2, one line, nothing created`, async () => {
      const before = new Set(readdirSafe(stateDir()));
      const r = await isobench(['doctor', ...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(readdirSafe(stateDir()).filter((f) => !before.has(f))).toEqual([]);
    });
  }

  test('run --doctor: the quick set runs first and lands in results.json and report.html', async () => {
    const dir = mkdtempSync(join(io.dir ?? tmpdir(), 'isobench-run-doctor-'));
    try {
      const file = join(dir, 'tiny.yaml');
      writeFileSync(
        file,
        'name: tiny\nduration: 1s\nwarmup: 300ms\nrepetitions: 1\ncontainers:\n  web:\n    workload: web\n    params: { working-set: 16MiB }\n    load: { rate: 200 }\n',
      );
      const out = join(dir, 'out');
      const r = await isobench(['run', file, '--doctor', '--out', out, '--json'], { timeoutMs: 300_000 });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain('host verification (isobench doctor --quick): 9 checks');
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
      expect(results.schemaVersion).toBe(2);
      expectQuickRecord(results.doctor as DoctorRecord, mode);
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).toContain('<h2>Host verification</h2>');
      expect(html).toContain(`${results.doctor?.summary.pass} pass, ${results.doctor?.summary.fail} fail`);
      expect(existsSync(join(out, 'work'))).toBe(false);
      expect(leftoverCgroups()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  afterAll(() => {
    if (!missing) expect(leftoverCgroups()).toEqual([]);
  });
});
