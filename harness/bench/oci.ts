/**
 * Minimal configurations for the container tools isobench is compared with, each running `true`
 * with the same six limits as ours (reference/measured-here.md: what each needs on this host).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lxcConfig } from '../runtime/config.js';

/** The six limits, in each tool's v1 vocabulary (the host is hybrid: v1 controllers). */
export const PEER_LIMITS = {
  cpuShares: 2048,
  cfsQuotaUs: 50_000,
  cfsPeriodUs: 100_000,
  memoryBytes: 256 * 2 ** 20,
  memoryLowBytes: 16 * 2 ** 20,
  pidsMax: 100,
  writeBps: 10 * 2 ** 20,
};

/**
 * lxc 5.0.2 app container on the host's root, as the lxc runtime configures one
 * (harness/runtime/config.ts lxcConfig) with the six limits in v1 keys. Its cgroups go below the
 * cgroup the bench runs in (lxc.cgroup.relative; without it lxc makes them at each hierarchy's
 * root, outside a managed cgroup such as this host's memory one), and so does the pivot the
 * monitor moves to when it removes its cgroup; `lxcCgroupNames` lists what to remove.
 */
export function writeLxcConfig(dir: string, name: string, majMin: string): string {
  const L = PEER_LIMITS;
  const [container, monitor, pivot] = lxcCgroupNames(name) as [string, string, string];
  const writes = [
    { file: 'cpu.shares', value: String(L.cpuShares) },
    { file: 'cpu.cfs_period_us', value: String(L.cfsPeriodUs) },
    { file: 'cpu.cfs_quota_us', value: String(L.cfsQuotaUs) },
    { file: 'memory.limit_in_bytes', value: String(L.memoryBytes) },
    { file: 'memory.soft_limit_in_bytes', value: String(L.memoryLowBytes) },
    { file: 'pids.max', value: String(L.pidsMax) },
    { file: 'blkio.throttle.write_bps_device', value: `${majMin} ${L.writeBps}` },
  ];
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, lxcConfig({ hostname: name, mode: 'v1', writes, dirs: { container, monitor, pivot } }));
  return file;
}

/**
 * An OCI bundle for runc/crun. runc cannot pivot_root into / (EBUSY), so the rootfs is a view:
 * an empty directory whose /usr and /etc are read-only binds of the host's, with the usual
 * symlinks (bin -> usr/bin ...) of a merged-/usr Debian.
 */
export function writeOciBundle(dir: string, cgroupsPath: string, majMin: string): string {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['usr', 'etc', 'proc', 'dev', 'sys', 'tmp'])
    mkdirSync(join(rootfs, d), { recursive: true });
  for (const l of ['bin', 'sbin', 'lib', 'lib64']) symlinkSync(`usr/${l}`, join(rootfs, l));
  const [major, minor] = majMin.split(':').map(Number);
  const L = PEER_LIMITS;
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['true'],
      env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: '/',
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'bench',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      {
        destination: '/dev',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro'] },
      { destination: '/etc', type: 'bind', source: '/etc', options: ['rbind', 'ro'] },
    ],
    linux: {
      cgroupsPath,
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
      resources: {
        cpu: { shares: L.cpuShares, quota: L.cfsQuotaUs, period: L.cfsPeriodUs },
        memory: { limit: L.memoryBytes, reservation: L.memoryLowBytes },
        pids: { limit: L.pidsMax },
        blockIO: { throttleWriteBpsDevice: [{ major, minor, rate: L.writeBps }] },
      },
    },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 1));
  return dir;
}

/** The cgroups (relative to the bench's own) that the lxc peer named `name` may leave behind. */
export function lxcCgroupNames(name: string): string[] {
  return [name, `${name}-monitor`, `${name}-pivot`];
}
