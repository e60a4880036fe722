/**
 * `isobench profile` and `isobench predict` for real, short: the web server next to the cpu
 * antagonist at two intensities, one block of 1 s windows (6 trials). Asserts on what was
 * recorded and read back (points, the intensity the antagonist reported, cgroup figures), not on
 * time or on the size of a slowdown.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { readResults } from '../results/reader.js';
import { isobench, itWhen, leftoverCgroups, missingRoot, OPEN_GUARDS, ROOT } from '../testing/support.js';
import { readProfile } from './main.js';
import { predictionFileSchema } from './schema.js';

const test = itWhen(missingRoot());
const dir = mkdtempSync(join(tmpdir(), 'isobench-profile-test-'));
const MiB = 2 ** 20;

describe('isobench profile', () => {
  test('records a point per intensity, the intensity the antagonist received, and footprints read from cgroups', async () => {
    const out = join(dir, 'web');
    const r = await isobench(
      [
        'profile',
        join(ROOT, 'harness/profile/testdata/profile-mini.yaml'),
        '--container',
        'web',
        '--antagonists',
        'cpu',
        '--intensities',
        '25,75',
        '--output',
        out,
        ...OPEN_GUARDS,
      ],
      { timeoutMs: 300_000 },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    for (const f of ['scenario.yaml', 'profile.json', 'profile.html', 'run/results.json', 'run/report.html'])
      expect(existsSync(join(out, f)), f).toBe(true);
    const results = readResults(join(out, 'run'));
    // 2 intensities x (solo, with-ant-cpu, ant-cpu-alone) x 1 block.
    expect(results.trials).toHaveLength(6);
    for (const t of results.trials) expect(t.status, t.status === 'ok' ? '' : t.reason).toBe('ok');

    const p = readProfile(out);
    expect(p.container).toMatchObject({ name: 'web', workload: 'web' });
    // The scenario entry as written, for predict --validate to compare with.
    expect(p.container.definition?.params).toEqual({ mode: 'heap', 'working-set': '16MiB' });
    expect(p.intensities).toEqual([25, 75]);
    expect(p.antagonists).toHaveLength(1);
    const cpu = p.antagonists[0];
    expect(cpu?.resource).toBe('cpu');
    expect(cpu?.points.map((x) => x.intensity)).toEqual([25, 75]);
    // What the antagonist's ready line says it ran at.
    expect(cpu?.points.map((x) => x.receivedIntensity)).toEqual([25, 75]);
    for (const pt of cpu?.points ?? []) {
      expect(pt.footprint.trials).toBe(1);
      expect(pt.slowdown.latencyP50Us?.n).toBe(1);
      expect(pt.slowdown.latencyP50Us?.median).toBeGreaterThan(0);
    }
    // Two spinning threads busy 25% and 75% of each slice: more CPU time at 75, read from the cgroup.
    const [c25, c75] = (cpu?.points ?? []).map((x) => x.footprint.cpuCores ?? Number.NaN);
    expect(c75).toBeGreaterThan(c25 as number);
    expect(c25).toBeGreaterThan(0);
    // web solo, one trial per intensity cell: its 16 MiB working set is resident.
    expect(p.footprint.trials).toBe(2);
    expect(p.footprint.memoryPeakBytes).toBeGreaterThanOrEqual(16 * MiB);
    expect(p.footprint.cpuCores).toBeGreaterThan(0);
    expect(p.primaryMetric).toBe('latencyP50Us');
    expect(readFileSync(join(out, 'profile.html'), 'utf8')).toContain('<svg');
    expect(r.stdout).toContain('isobench profile: web (web), 6 trials');

    // predict: the profile against itself (no run), written and valid.
    const pred = join(dir, 'pred');
    const q = await isobench(['predict', out, join(out, 'profile.json'), '--output', pred, '--json']);
    expect(q.exitCode, q.stderr).toBe(0);
    const file = predictionFileSchema.parse(JSON.parse(readFileSync(join(pred, 'prediction.json'), 'utf8')));
    expect(file.predictions).toHaveLength(2);
    expect(file.predictions[0]?.terms.map((t) => t.resource)).toEqual(['cpu']);
    expect(file.predictions[0]?.predicted?.median).toBeGreaterThan(0);
    expect(leftoverCgroups()).toEqual([]);
  });

  test('a container the scenario lacks is refused before anything runs (exit 2)', async () => {
    const r = await isobench([
      'profile',
      join(ROOT, 'harness/profile/testdata/profile-mini.yaml'),
      '--container',
      'cache',
      '--output',
      join(dir, 'none'),
    ]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('ISOBENCH_PROFILE_CONTAINER');
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});
