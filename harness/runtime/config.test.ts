import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLxcConfig } from '../bench/oci.js';
import type { BlockDevice } from '../cgroup/device.js';
import { v1Writes } from '../cgroup/v1-limits.js';
import { v2Files } from '../cgroup/v2-limits.js';
import { parseLimitArgs } from '../limits.js';
import {
  cgroupMounts,
  cgroupRemounts,
  lxcConfig,
  ociCapsWithin,
  ociResourcesV1,
  ociResourcesV2,
  ociSpec,
} from './config.js';
import { relativeLimits } from './plan.js';
import { refusal } from './programs.js';

const { limits } = parseLimitArgs([
  'cpu.weight=400',
  'cpu.max=50000',
  'memory.max=256MiB',
  'io.max.wbps=40MiB',
  'pids.max=50',
]);
const device = { path: '/srv', majMin: '8:0', name: 'sda' } as BlockDevice;

describe('lxcConfig', () => {
  it('on v1/hybrid: lxc.cgroup.<v1 file> with the named conversions, in the driver order', () => {
    const writes = v1Writes(limits, device.majMin, 'blkio.weight');
    const text = lxcConfig({ hostname: 'web', mode: 'hybrid', writes, cwd: '/data' });
    expect(
      text
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('lxc.cgroup.') &&
            !l.startsWith('lxc.cgroup.dir') &&
            !l.startsWith('lxc.cgroup.relative'),
        ),
    ).toEqual([
      'lxc.cgroup.cpu.shares = 4096',
      'lxc.cgroup.cpu.cfs_period_us = 100000',
      'lxc.cgroup.cpu.cfs_quota_us = 50000',
      'lxc.cgroup.memory.limit_in_bytes = 268435456',
      'lxc.cgroup.blkio.throttle.write_bps_device = 8:0 41943040',
      'lxc.cgroup.pids.max = 50',
    ]);
    // What lxc 5.0.2 needs on the host's root without a terminal, and its cgroups inside isobench's.
    for (const line of [
      'lxc.net.0.type = empty',
      'lxc.console.path = none',
      'lxc.tty.max = 0',
      'lxc.pty.max = 0',
      'lxc.mount.auto = proc:mixed',
      'lxc.cgroup.relative = 1',
      'lxc.cgroup.dir.container = payload',
      'lxc.cgroup.dir.monitor = monitor',
      'lxc.uts.name = web',
      'lxc.init.cwd = /data',
    ])
      expect(text).toContain(`${line}\n`);
    expect(text).not.toMatch(/^lxc\.rootfs/m);
  });

  it('on v2: lxc.cgroup2.<v2 file> as written', () => {
    const text = lxcConfig({ hostname: 'db', mode: 'v2', writes: v2Files(limits, device), cwd: '/d' });
    expect(text).toContain('lxc.cgroup2.cpu.weight = 400\n');
    expect(text).toContain('lxc.cgroup2.cpu.max = 50000 100000\n');
    expect(text).toContain('lxc.cgroup2.io.max = 8:0 wbps=41943040\n');
    expect(text).not.toMatch(/^lxc\.cgroup\.(cpu|memory|pids)/m);
  });
});

describe("bench's lxc peer", () => {
  it('is the runtime config with its own cgroup names and the six limits in v1 keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'isobench-lxcconf-'));
    try {
      const text = readFileSync(writeLxcConfig(dir, 'peer', '8:0'), 'utf8');
      const base = lxcConfig({
        hostname: 'peer',
        mode: 'v1',
        writes: [],
        dirs: { container: 'peer', monitor: 'peer-monitor', pivot: 'peer-pivot' },
      });
      expect(text.startsWith(base)).toBe(true);
      expect(text).not.toContain('lxc.init.cwd');
      expect(text.slice(base.length).trim().split('\n')).toEqual([
        'lxc.cgroup.cpu.shares = 2048',
        'lxc.cgroup.cpu.cfs_period_us = 100000',
        'lxc.cgroup.cpu.cfs_quota_us = 50000',
        'lxc.cgroup.memory.limit_in_bytes = 268435456',
        'lxc.cgroup.memory.soft_limit_in_bytes = 16777216',
        'lxc.cgroup.pids.max = 100',
        'lxc.cgroup.blkio.throttle.write_bps_device = 8:0 10485760',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cgroup remounts for runc on a hybrid host', () => {
  const mountinfo = [
    '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
    '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct',
    '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
    '40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
    '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate',
    '22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw',
  ].join('\n');

  it('lists the cgroup mounts of mountinfo', () => {
    expect(cgroupMounts(mountinfo).map((m) => m.mountpoint)).toEqual([
      '/sys/fs/cgroup/cpu,cpuacct',
      '/sys/fs/cgroup/memory',
      '/sys/fs/cgroup/systemd',
      '/sys/fs/cgroup/unified',
    ]);
  });

  it('mounts each hierarchy afresh by its controllers or name, the old mount first', () => {
    expect(cgroupRemounts(cgroupMounts(mountinfo), ['cpu', 'cpuacct', 'memory'])).toEqual([
      "umount '/sys/fs/cgroup/cpu,cpuacct' && mount -t cgroup -o cpu,cpuacct isobench '/sys/fs/cgroup/cpu,cpuacct'",
      "umount '/sys/fs/cgroup/memory' && mount -t cgroup -o memory isobench '/sys/fs/cgroup/memory'",
      "umount '/sys/fs/cgroup/systemd' && mount -t cgroup -o name=systemd isobench '/sys/fs/cgroup/systemd'",
      "umount '/sys/fs/cgroup/unified' && mount -t cgroup2 isobench '/sys/fs/cgroup/unified'",
    ]);
  });
});

describe('OCI linux.resources', () => {
  it('v1: the spec fields, cpu.weight as shares by the same formula', () => {
    expect(ociResourcesV1(limits, device)).toEqual({
      cpu: { shares: 4096, period: 100000, quota: 50000 },
      memory: { limit: 268435456 },
      pids: { limit: 50 },
      blockIO: { throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 41943040 }] },
    });
  });

  it('v2: unified, the v2 files as they are', () => {
    expect(ociResourcesV2(v2Files(limits, device))).toEqual({
      unified: {
        'cpu.weight': '400',
        'cpu.max': '50000 100000',
        'memory.max': '268435456',
        'io.max': '8:0 wbps=41943040',
        'pids.max': '50',
      },
    });
  });

  it('the spec: a root that is not /, namespaces as native, a relative cgroup path', () => {
    const spec = ociSpec({
      hostname: 'web',
      args: ['x'],
      env: ['A=1'],
      cwd: '/d',
      rootfs: '/run/isobench/runtimes/x/rootfs',
      resources: {},
      cgroupsPath: 'payload',
      capabilities: ociCapsWithin(0x3n),
    }) as {
      root: { path: string };
      linux: { cgroupsPath: string; namespaces: { type: string }[] };
      process: { capabilities: { bounding: string[] } };
    };
    expect(spec.root.path).not.toBe('/');
    expect(spec.linux.cgroupsPath).toBe('payload');
    expect(spec.linux.namespaces.map((n) => n.type).sort()).toEqual([
      'cgroup',
      'ipc',
      'mount',
      'network',
      'pid',
      'uts',
    ]);
    expect(spec.process.capabilities.bounding).toEqual(['CAP_CHOWN', 'CAP_DAC_OVERRIDE']);
  });
});

describe('runtimes', () => {
  it('refusals quote the reason: crun on hybrid, crun on v1, any runtime without root', () => {
    expect(refusal('crun', 'hybrid', true)).toContain('cgroups in hybrid mode not supported');
    expect(refusal('crun', 'v1', true)).toMatch(/crun only on cgroup v2/);
    expect(refusal('runc', 'v1', true)).toBeNull();
    expect(refusal('crun', 'v2', true)).toBeNull();
    expect(refusal('runc', 'hybrid', true)).toBeNull();
    expect(refusal('lxc', 'v2', false)).toMatch(/need root/);
  });

  it('relative limits (weights, protection) are the ones the container cgroup carries too', () => {
    const { limits: l } = parseLimitArgs([
      'cpu.weight=50',
      'io.weight=200',
      'memory.low=1MiB',
      'memory.max=1GiB',
    ]);
    expect(relativeLimits(l)).toEqual({ 'cpu.weight': 50, 'io.weight': 200, 'memory.low': 1048576 });
  });
});
