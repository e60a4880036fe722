/**
 * What each runtime is told (pure, unit-tested): the LXC config and the OCI runtime spec for one
 * container. The limits are the driver's own planned writes (v2 names and values on v2, the v1
 * files with the named conversions on v1/hybrid, harness/cgroup/v1-limits.ts), so that every
 * runtime is asked for exactly what native isobench writes; what each runtime really wrote is read
 * back from its cgroup afterwards, never taken from these texts.
 */

import { cpuWeightToShares, ioWeightToBlkio } from '../cgroup/convert.js';
import type { CgroupMode } from '../cgroup/detect.js';
import type { BlockDevice } from '../cgroup/device.js';
import type { IoMaxField, Limits } from '../limits.js';

export interface PlannedWrite {
  file: string;
  value: string;
}

/** The payload cgroup a runtime creates below the container's cgroup (relative to it). */
export const PAYLOAD_DIR = 'payload';
/** LXC's monitor process (lxc-execute itself) moves into this cgroup, beside the payload. */
export const MONITOR_DIR = 'monitor';
export const PIVOT_DIR = 'pivot';

export interface LxcInput {
  hostname: string;
  mode: CgroupMode;
  writes: PlannedWrite[];
  /** The payload's working directory (its data dir); lxc's default (/) when absent. */
  cwd?: string;
  /**
   * lxc's cgroups, relative to the cgroup lxc-execute starts in: the container's, the monitor's,
   * and the one the monitor moves to when it removes its own (else `lxc.pivot` at the root).
   */
  dirs?: { container: string; monitor: string; pivot: string };
}

/**
 * lxc 5 config for an application container on the host's root (no lxc.rootfs.path): a new netns
 * with only `lo`, up (type empty); no console or ttys (without them lxc-execute fails "Failed to
 * open /dev/pts/0" when isobench has no terminal); its cgroups relative to the cgroup lxc-execute
 * starts in (lxc.cgroup.relative, else lxc escapes to the hierarchy's root), payload and monitor
 * apart. AppArmor unconfined: the payload makes its own mounts (isobench-init's containment).
 * Used by the lxc runtime and by `isobench bench`'s lxc peer (harness/bench/oci.ts).
 */
export function lxcConfig(c: LxcInput): string {
  const prefix = c.mode === 'v2' ? 'lxc.cgroup2' : 'lxc.cgroup';
  const dirs = c.dirs ?? { container: PAYLOAD_DIR, monitor: MONITOR_DIR, pivot: PIVOT_DIR };
  const lines = [
    `lxc.uts.name = ${c.hostname}`,
    'lxc.net.0.type = empty',
    'lxc.net.0.flags = up',
    'lxc.console.path = none',
    'lxc.tty.max = 0',
    'lxc.pty.max = 0',
    'lxc.mount.auto = proc:mixed',
    'lxc.apparmor.profile = unconfined',
    ...(c.cwd === undefined ? [] : [`lxc.init.cwd = ${c.cwd}`]),
    'lxc.cgroup.relative = 1',
    `lxc.cgroup.dir.container = ${dirs.container}`,
    `lxc.cgroup.dir.monitor = ${dirs.monitor}`,
    `lxc.cgroup.dir.monitor.pivot = ${dirs.pivot}`,
    ...c.writes.map((w) => `${prefix}.${w.file} = ${w.value}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** OCI runtime spec `linux.resources` (runtime-spec config-linux.md) for cgroup v1 hosts. */
export function ociResourcesV1(limits: Limits, device: BlockDevice | null): Record<string, unknown> {
  const r: Record<string, Record<string, unknown>> = {};
  const cpu: Record<string, unknown> = {};
  if (limits['cpu.weight'] !== undefined) cpu.shares = cpuWeightToShares(limits['cpu.weight']);
  const cm = limits['cpu.max'];
  if (cm) {
    cpu.period = cm.periodUs;
    cpu.quota = cm.quotaUs === 'max' ? -1 : cm.quotaUs;
  }
  if (limits['cpuset.cpus'] !== undefined) cpu.cpus = limits['cpuset.cpus'];
  if (limits['cpuset.mems'] !== undefined) cpu.mems = limits['cpuset.mems'];
  if (Object.keys(cpu).length) r.cpu = cpu;
  const mem: Record<string, unknown> = {};
  const max = limits['memory.max'];
  if (max !== undefined) mem.limit = max === 'max' ? -1 : max;
  const swap = limits['memory.swap.max'];
  // OCI's v1 memory.swap is memory+swap (memsw), as SWAP_TO_MEMSW converts.
  if (swap !== undefined) mem.swap = swap === 'max' || max === undefined || max === 'max' ? -1 : max + swap;
  if (limits['memory.low'] !== undefined) mem.reservation = limits['memory.low'];
  if (Object.keys(mem).length) r.memory = mem;
  if (limits['pids.max'] !== undefined)
    r.pids = { limit: limits['pids.max'] === 'max' ? -1 : limits['pids.max'] };
  const io: Record<string, unknown> = {};
  if (limits['io.weight'] !== undefined) io.weight = ioWeightToBlkio(limits['io.weight']);
  const iomax = limits['io.max'];
  if (iomax && device) {
    const [major, minor] = device.majMin.split(':').map(Number);
    const names: Record<IoMaxField, string> = {
      rbps: 'throttleReadBpsDevice',
      wbps: 'throttleWriteBpsDevice',
      riops: 'throttleReadIOPSDevice',
      wiops: 'throttleWriteIOPSDevice',
    };
    for (const [f, key] of Object.entries(names) as [IoMaxField, string][]) {
      const v = iomax[f];
      // 0 removes the device's rule: v1's "max".
      if (v !== undefined) io[key] = [{ major, minor, rate: v === 'max' ? 0 : v }];
    }
  }
  if (Object.keys(io).length) r.blockIO = io;
  return r;
}

/**
 * On cgroup v2, `linux.resources.unified` takes the v2 files as they are (runc >= 1.0.0-rc93,
 * crun): no conversion, the same values native isobench writes.
 */
export function ociResourcesV2(writes: PlannedWrite[]): Record<string, unknown> {
  return { unified: Object.fromEntries(writes.map((w) => [w.file, w.value])) };
}

/** Every capability runc 1.1 knows: the payload starts with all and isobench-init drops them (caps.c). */
const OCI_CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ',
].map((c) => `CAP_${c}`); // biome-ignore format: a table

/**
 * The capabilities of OCI_CAPS in `capBnd` (the bounding set of /proc/self/status, hex): runc
 * fails "unable to apply caps: operation not permitted" when asked for one the caller cannot have.
 */
export function ociCapsWithin(capBnd: bigint): string[] {
  return OCI_CAPS.filter((_, i) => (capBnd >> BigInt(i)) & 1n);
}

/** A cgroup filesystem mount of /proc/self/mountinfo. */
export interface CgroupMount {
  mountpoint: string;
  /** `cgroup` (v1) or `cgroup2`. */
  fstype: string;
  /** Its super options (`rw,cpu,cpuacct`, `rw,xattr,name=systemd`). */
  superOptions: string;
}

/** The cgroup and cgroup2 mounts of a /proc/PID/mountinfo text. */
export function cgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const [fstype, , superOptions = ''] = post.split(' ');
    const mountpoint = pre.split(' ')[4];
    if ((fstype === 'cgroup' || fstype === 'cgroup2') && mountpoint)
      out.push({ mountpoint: mountpoint.replace(/\\040/g, ' '), fstype, superOptions });
  }
  return out;
}

/**
 * Shell commands that mount every cgroup hierarchy afresh, to be run in a new mount and cgroup
 * namespace (`unshare -m -C`): each then shows the cgroups the caller is in as its root, so that a
 * runtime started there sees its own cgroup as `/` in every hierarchy. runc 1.1 on a hybrid host
 * puts a relative cgroupsPath below its own cgroup in each v1 hierarchy but below the cgroup2
 * root in /sys/fs/cgroup/unified (libcontainer/cgroups/v1_utils.go GetOwnCgroupPath returns the
 * mountpoint for ""), so without this its payload's cgroup2 part lands at the real cgroup2 root,
 * outside isobench's cgroups. A v1 hierarchy is named by its controllers (and name=), which is
 * how the kernel finds the existing one (cgroup1_root_to_use); the old mount goes first, since
 * the kernel refuses a superblock on a mountpoint it is already mounted on (EBUSY).
 */
export function cgroupRemounts(mounts: CgroupMount[], controllers: string[]): string[] {
  const known = new Set(controllers);
  return mounts.map((m) => {
    const at = shellQuote(m.mountpoint);
    if (m.fstype === 'cgroup2') return `umount ${at} && mount -t cgroup2 isobench ${at}`;
    const opts = m.superOptions
      .split(',')
      .filter((o) => known.has(o) || o.startsWith('name=') || o === 'none');
    return `umount ${at} && mount -t cgroup -o ${opts.join(',')} isobench ${at}`;
  });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

export interface OciInput {
  hostname: string;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: string[];
  /** A view of the host's root that is not `/` itself (runc's pivot_root fails EBUSY on `/`). */
  rootfs: string;
  resources: Record<string, unknown>;
  /** linux.cgroupsPath, relative (see ociSpec). */
  cgroupsPath: string;
}

/**
 * config.json: the host's root (through `rootfs`), new pid/mount/uts/ipc/net/cgroup namespaces as
 * native, /proc fresh, /dev and /sys the host's (a /dev bind keeps runc from creating device nodes
 * and a /dev/ptmx link in the host's devtmpfs that `rootfs` shares). The cgroup path is relative:
 * runc puts it below its own cgroup (v1) or beside it (v2: below its parent), see start.ts.
 */
export function ociSpec(c: OciInput): Record<string, unknown> {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: c.args,
      env: c.env,
      cwd: c.cwd,
      capabilities: Object.fromEntries(
        ['bounding', 'effective', 'inheritable', 'permitted'].map((k) => [k, c.capabilities]),
      ),
      noNewPrivileges: false,
    },
    root: { path: c.rootfs, readonly: false },
    hostname: c.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'bind', source: '/dev', options: ['rbind', 'rprivate'] },
      { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'rprivate'] },
    ],
    linux: {
      cgroupsPath: c.cgroupsPath,
      resources: c.resources,
      namespaces: ['pid', 'mount', 'uts', 'ipc', 'network', 'cgroup'].map((type) => ({ type })),
    },
  };
}
