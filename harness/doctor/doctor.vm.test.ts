/**
 * `isobench doctor --quick` on a pure cgroup v2 kernel (run inside ci/kernel-vm by `npm run
 * test:v2`): the record's shape and the deterministic checks as on the host, plus what only v2
 * has: memory.high throttles without killing, and buffered writeback is charged to the writer's
 * cgroup (io.max holds it, where v1 reports "not enforced here").
 */
import { afterAll, describe, expect } from 'vitest';
import { detectCgroups } from '../cgroup/detect.js';
import type { DoctorRecord } from '../results/types.js';
import { expectQuickRecord } from '../testing/doctor.js';
import { ioTestDir, isobench, itWhen, leftoverCgroups, missingRoot } from '../testing/support.js';

const root = missingRoot();
const host = root ? null : detectCgroups();
const missing =
  root ?? (host?.mode === 'v2' ? null : `not a cgroup v2 host (mode ${host?.mode}); run npm run test:v2`);
const io = ioTestDir();
const test = itWhen(missing ?? io.missing);

describe('isobench doctor on cgroup v2', () => {
  test('--quick --json: deterministic checks pass, memory.high applies, writeback is charged to the writer', async () => {
    const r = await isobench(['doctor', '--quick', '--json', '--io-path', io.dir as string], {
      timeoutMs: 900_000,
    });
    const record = JSON.parse(r.stdout.trim()) as DoctorRecord;
    for (const c of record.checks) {
      process.stdout.write(`doctor (v2 VM) ${c.status} ${c.name}: ${c.measured ?? c.reason}\n`);
    }
    expectQuickRecord(record, 'v2');
    expect(r.exitCode).toBe(record.summary.fail > 0 ? 1 : 0);
    const byName = Object.fromEntries(record.checks.map((c) => [c.name, c]));
    expect(byName['memory-high']?.figures.highEvents).toBeGreaterThan(0);
    expect(byName['memory-high']?.figures.oomKills).toBe(0);
    // v2 charges writeback to the cgroup that dirtied the pages (ext4 on the VM's disk): at
    // least what its 32 MiB of memory could not keep dirty of the 64 MiB it wrote.
    const wb = byName['io-writeback'];
    expect(wb?.status, wb?.reason).not.toBe('not-applicable');
    expect(wb?.figures.countedBytes).toBeGreaterThanOrEqual(32 * 1024 * 1024);
    expect(leftoverCgroups()).toEqual([]);
  });

  afterAll(() => {
    if (!missing) expect(leftoverCgroups()).toEqual([]);
  });
});
