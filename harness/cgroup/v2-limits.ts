/** Which cgroup v2 files a set of limits writes, and in what order (pure, unit-tested). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostError } from '../errors.js';
import { IO_MAX_FIELDS, type Limits } from '../limits.js';
import type { BlockDevice } from './device.js';

export interface FileWrite {
  file: string;
  value: string;
  /** The requested keys this write serves (`io.max.wbps` ...). */
  keys: string[];
}

const str = (v: number | 'max') => String(v);

export function ioMaxLine(device: BlockDevice, io: NonNullable<Limits['io.max']>): string {
  const parts = IO_MAX_FIELDS.filter((f) => io[f] !== undefined).map(
    (f) => `${f}=${str(io[f] as number | 'max')}`,
  );
  return `${device.majMin} ${parts.join(' ')}`;
}

/** `8:0 rbps=1048576 wbps=max riops=max wiops=max` -> { rbps: '1048576', ... } */
export function parseIoMaxLine(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of line.matchAll(/\b(rbps|wbps|riops|wiops)=(\S+)/g)) out[m[1] as string] = m[2] as string;
  return out;
}

/** The writes, in an order the kernel accepts: cpuset first (tasks need CPUs), memory.max before swap. */
export function v2Files(limits: Limits, device: BlockDevice | null): FileWrite[] {
  const w: FileWrite[] = [];
  if (limits['cpuset.cpus'] !== undefined)
    w.push({ file: 'cpuset.cpus', value: limits['cpuset.cpus'], keys: ['cpuset.cpus'] });
  if (limits['cpuset.mems'] !== undefined)
    w.push({ file: 'cpuset.mems', value: limits['cpuset.mems'], keys: ['cpuset.mems'] });
  if (limits['cpu.weight'] !== undefined)
    w.push({ file: 'cpu.weight', value: str(limits['cpu.weight']), keys: ['cpu.weight'] });
  const cm = limits['cpu.max'];
  if (cm) w.push({ file: 'cpu.max', value: `${cm.quotaUs} ${cm.periodUs}`, keys: ['cpu.max'] });
  for (const k of ['memory.max', 'memory.swap.max', 'memory.high', 'memory.low'] as const) {
    const v = limits[k];
    if (v !== undefined) w.push({ file: k, value: str(v), keys: [k] });
  }
  const io = limits['io.max'];
  if (io && device) {
    w.push({
      file: 'io.max',
      value: ioMaxLine(device, io),
      keys: IO_MAX_FIELDS.filter((f) => io[f] !== undefined).map((f) => `io.max.${f}`),
    });
  }
  if (limits['io.weight'] !== undefined) {
    w.push({ file: 'io.weight', value: `default ${limits['io.weight']}`, keys: ['io.weight'] });
  }
  if (limits['pids.max'] !== undefined)
    w.push({ file: 'pids.max', value: str(limits['pids.max']), keys: ['pids.max'] });
  return w;
}

/**
 * io.weight only does something under the BFQ scheduler or with iocost enabled for the device
 * (cgroup-v2.rst "IO Interface Files"); refuse it elsewhere rather than record a weight that is ignored.
 */
export function checkIoWeightDevice(device: BlockDevice, cgroupRoot: string | null): void {
  const sched = readSchedulerOf(device.name);
  if (sched === 'bfq') return;
  if (cgroupRoot) {
    const qos = join(cgroupRoot, 'io.cost.qos');
    if (existsSync(qos) && new RegExp(`^${device.majMin} enable=1`, 'm').test(readFileSync(qos, 'utf8')))
      return;
  }
  throw new HostError(
    'ISOBENCH_IO_WEIGHT_UNSUPPORTED',
    `limit io.weight: device ${device.name} (${device.majMin}) uses the ${sched ?? 'unknown'} scheduler, and io.weight only works with bfq (echo bfq > /sys/block/${device.name}/queue/scheduler) or with iocost enabled`,
  );
}

export function readSchedulerOf(name: string): string | null {
  try {
    const text = readFileSync(`/sys/block/${name}/queue/scheduler`, 'utf8');
    return /\[(\S+)\]/.exec(text)?.[1] ?? text.trim();
  } catch {
    return null;
  }
}
