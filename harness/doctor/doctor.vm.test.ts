/**
 * `isobench doctor --quick` on a pure cgroup v2 kernel (run inside ci/kernel-vm by `npm run
 * test:v2`): the record's shape and the deterministic checks as on the host, plus what only v2
 * has: memory.high throttles without killing, and buffered writeback is charged to the writer's
 * cgroup (io.max holds it, where v1 reports "not enforced here"); io.weight applies with iocost.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { detectCgroups } from '../cgroup/detect.js';
import { blockDeviceFor } from '../cgroup/device.js';
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

  test('io.weight applies once iocost is enabled for the disk, and splits it 1:4', async () => {
    // The VM's disk has no scheduler (none); iocost is what v2 offers instead of BFQ. Enabling
    // it is the administrator's choice, made here for the test and undone after.
    const qos = join(host?.unified?.mountPoint ?? '/sys/fs/cgroup', 'io.cost.qos');
    const dev = blockDeviceFor(io.dir as string).majMin;
    writeFileSync(qos, `${dev} enable=1`);
    try {
      const r = await isobench(['doctor', '--only', 'io-weight', '--json', '--io-path', io.dir as string], {
        timeoutMs: 600_000,
      });
      const check = (JSON.parse(r.stdout.trim()) as DoctorRecord).checks[0];
      process.stdout.write(`doctor (v2 VM, iocost) ${check?.status} io-weight: ${check?.measured}\n`);
      expect(check?.status, check?.reason).toBe('pass');
      expect(check?.figures.lowShare).toBeGreaterThan(0.1);
      expect(check?.figures.lowShare).toBeLessThan(0.3);
    } finally {
      writeFileSync(qos, `${dev} enable=0`);
    }
  });

  afterAll(() => {
    if (!missing) expect(leftoverCgroups()).toEqual([]);
  });
});
