/**
 * Host facts read straight from /proc, /sys and /etc: the fallback when systeminformation comes
 * back empty (it often does in VMs and containers), and the source of what it does not know at
 * all (the IO scheduler in force, THP, swappiness). Parsers take text so they can be tested on
 * captured files; readers take a root so a test can point them at a fake tree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The selected value of a sysfs choice file: `none [mq-deadline] kyber` -> `mq-deadline`. */
export function bracketed(text: string | null): string | null {
  if (text === null) return null;
  const m = /\[([^\]]+)\]/.exec(text);
  if (m?.[1]) return m[1];
  // Single-queue devices without a choice print just the name (or `none`).
  const only = text.trim();
  return only && !only.includes(' ') ? only : null;
}

/** A field of /etc/os-release (`PRETTY_NAME`), unquoted. */
export function osReleaseField(text: string, key: string): string | null {
  const m = new RegExp(`^${key}=(.*)$`, 'm').exec(text);
  if (!m?.[1]) return null;
  return m[1].trim().replace(/^(["'])(.*)\1$/, '$2') || null;
}

export interface CpuInfo {
  model: string | null;
  threads: number;
  /** Distinct (physical id, core id) pairs; null where the kernel does not report them (ARM). */
  cores: number | null;
  mhz: number | null;
  hypervisor: boolean;
}

export function parseCpuInfo(text: string): CpuInfo {
  let model: string | null = null;
  let mhz: number | null = null;
  let threads = 0;
  let hypervisor = false;
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) fields.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    if (fields.has('processor') && /^\d+$/.test(fields.get('processor') ?? '')) threads++;
    // x86 says `model name`; some ARM kernels only `Hardware` or `Processor` (text, not a number).
    model ??= fields.get('model name') || fields.get('Hardware') || fields.get('cpu model') || null;
    const speed = Number(fields.get('cpu MHz'));
    if (mhz === null && fields.has('cpu MHz') && speed > 0) mhz = Math.round(speed);
    const phys = fields.get('physical id');
    const core = fields.get('core id');
    if (phys !== undefined && core !== undefined) cores.add(`${phys}:${core}`);
    if (/\bhypervisor\b/.test(fields.get('flags') ?? '')) hypervisor = true;
  }
  return { model, threads, cores: cores.size > 0 ? cores.size : null, mhz, hypervisor };
}

/** A /proc/meminfo line in bytes (`MemTotal:  24683620 kB`), or null. */
export function meminfoBytes(text: string, key: string): number | null {
  const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
  return m?.[1] ? Number(m[1]) * 1024 : null;
}

export interface SysDisk {
  name: string;
  model: string | null;
  sizeBytes: number | null;
  rotational: boolean | null;
  scheduler: string | null;
}

/** Virtual devices that back no data directory a scenario would use. */
const PSEUDO_DISK = /^(loop|ram|zram|sr|fd|nbd)\d*/;

/**
 * Whole disks from /sys/block (partitions are not listed there). loop, ram, zram and optical
 * devices are left out unless nothing else exists, so a VM with one virtio disk shows that disk.
 */
export function readSysDisks(sysBlock = '/sys/block'): SysDisk[] {
  let names: string[];
  try {
    names = readdirSync(sysBlock).sort();
  } catch {
    return [];
  }
  const real = names.filter((n) => !PSEUDO_DISK.test(n));
  return (real.length > 0 ? real : names).map((name) => {
    const dir = join(sysBlock, name);
    const rot = readOptional(join(dir, 'queue/rotational'))?.trim();
    // `size` counts 512-byte sectors whatever the device's logical block size.
    const sectors = Number(readOptional(join(dir, 'size'))?.trim());
    const model = readOptional(join(dir, 'device/model'))?.trim() || null;
    return {
      name,
      model,
      sizeBytes: Number.isFinite(sectors) && sectors > 0 ? sectors * 512 : null,
      rotational: rot === '1' ? true : rot === '0' ? false : null,
      scheduler: bracketed(readOptional(join(dir, 'queue/scheduler'))),
    };
  });
}

/**
 * USER_HZ: /proc counts CPU time in clock ticks of 1/100 s on every Linux architecture isobench
 * targets (sysconf(_SC_CLK_TCK)).
 */
export const USER_HZ = 100;

/** The fields of /proc/PID/stat isobench reads (proc(5)); the command name may hold spaces and ')'. */
export interface ProcStat {
  state: string;
  ppid: number;
  /** CPU time in user and kernel mode, in clock ticks (USER_HZ, 100 per second on Linux). */
  utimeTicks: number;
  stimeTicks: number;
  /** Start time after boot in clock ticks: with the pid, it identifies a process across pid reuse. */
  startTicks: number;
  /** CPU time of its children that it has waited for (and of theirs), user + kernel, in clock ticks. */
  childTicks: number;
}

export function parseProcStat(text: string): ProcStat | null {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[1]);
  const startTicks = Number(rest[19]);
  if (!rest[0] || !Number.isFinite(ppid) || !Number.isFinite(startTicks)) return null;
  return {
    state: rest[0],
    ppid,
    utimeTicks: Number(rest[11]),
    stimeTicks: Number(rest[12]),
    startTicks,
    childTicks: Number(rest[13]) + Number(rest[14]),
  };
}

/** /proc/PID/stat of a live process, or null when it is gone (or not readable). */
export function procStat(pid: number): ProcStat | null {
  const text = readOptional(`/proc/${pid}/stat`);
  return text === null ? null : parseProcStat(text);
}

/** Whether `pid` is `ancestor` or one of its descendants (walking up at most 64 parents). */
export function isDescendantOf(pid: number, ancestor: number): boolean {
  for (let p: number | undefined = pid, i = 0; p !== undefined && p > 1 && i < 64; i++) {
    if (p === ancestor) return true;
    p = procStat(p)?.ppid;
  }
  return false;
}
