/**
 * How each v2-named limit becomes v1 files (pure planning; the driver writes and reads back).
 *
 * | v2 limit          | v1 file (hierarchy)                          | formula                         |
 * |-------------------|----------------------------------------------|---------------------------------|
 * | cpu.weight        | cpu.shares (cpu)                             | CPU_WEIGHT_TO_SHARES (systemd)  |
 * | cpu.max           | cpu.cfs_period_us, cpu.cfs_quota_us (cpu)    | CPU_MAX_TO_CFS                  |
 * | memory.max        | memory.limit_in_bytes (memory)               | same bytes, max -> -1           |
 * | memory.swap.max   | memory.memsw.limit_in_bytes (memory)         | SWAP_TO_MEMSW                   |
 * | memory.low        | memory.soft_limit_in_bytes (memory)          | LOW_TO_SOFT_LIMIT (approximate) |
 * | memory.high       | none: refused (v1 has no throttle-without-OOM limit) |                         |
 * | io.max.*          | blkio.throttle.{read,write}_{bps,iops}_device | same numbers, max -> 0 (no rule)|
 * | io.weight         | blkio.bfq.weight or blkio.weight (blkio)     | IO_WEIGHT_TO_BLKIO              |
 * | pids.max          | pids.max (pids)                              | same                            |
 * | cpuset.cpus/mems  | cpuset.cpus / cpuset.mems (cpuset)           | same                            |
 */
import type { IoMaxField, Limits } from '../limits.js';
import {
  CPU_MAX_TO_CFS,
  CPU_WEIGHT_TO_SHARES,
  cpuWeightToShares,
  IO_WEIGHT_TO_BLKIO,
  ioWeightToBlkio,
  LOW_TO_SOFT_LIMIT,
  SWAP_TO_MEMSW,
} from './convert.js';
import type { V1Controller } from './detect.js';

export interface V1Write {
  controller: V1Controller;
  file: string;
  value: string;
  /** The v2 key this write serves, or null for a helper write (the cfs period). */
  key: string | null;
  formula?: string;
}

export const IO_THROTTLE_FILE: Record<IoMaxField, string> = {
  rbps: 'blkio.throttle.read_bps_device',
  wbps: 'blkio.throttle.write_bps_device',
  riops: 'blkio.throttle.read_iops_device',
  wiops: 'blkio.throttle.write_iops_device',
};

const V1_UNLIMITED = '-1';

export function v1Writes(limits: Limits, majMin: string | null, ioWeightFile: string): V1Write[] {
  const w: V1Write[] = [];
  if (limits['cpuset.cpus'] !== undefined)
    w.push({ controller: 'cpuset', file: 'cpuset.cpus', value: limits['cpuset.cpus'], key: 'cpuset.cpus' });
  if (limits['cpuset.mems'] !== undefined)
    w.push({ controller: 'cpuset', file: 'cpuset.mems', value: limits['cpuset.mems'], key: 'cpuset.mems' });
  if (limits['cpu.weight'] !== undefined) {
    w.push({
      controller: 'cpu',
      file: 'cpu.shares',
      value: String(cpuWeightToShares(limits['cpu.weight'])),
      key: 'cpu.weight',
      formula: CPU_WEIGHT_TO_SHARES,
    });
  }
  const cm = limits['cpu.max'];
  if (cm) {
    // The period first: a quota is validated against the period in force.
    w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(cm.periodUs), key: null });
    w.push({
      controller: 'cpu',
      file: 'cpu.cfs_quota_us',
      value: cm.quotaUs === 'max' ? V1_UNLIMITED : String(cm.quotaUs),
      key: 'cpu.max',
      formula: CPU_MAX_TO_CFS,
    });
  }
  const mem = limits['memory.max'];
  if (mem !== undefined)
    w.push({
      controller: 'memory',
      file: 'memory.limit_in_bytes',
      value: mem === 'max' ? V1_UNLIMITED : String(mem),
      key: 'memory.max',
    });
  const swap = limits['memory.swap.max'];
  if (swap !== undefined) {
    // memsw counts memory plus swap; it must stay >= memory.limit_in_bytes, so it is written after it.
    const memsw = swap === 'max' || mem === undefined || mem === 'max' ? V1_UNLIMITED : String(mem + swap);
    w.push({
      controller: 'memory',
      file: 'memory.memsw.limit_in_bytes',
      value: memsw,
      key: 'memory.swap.max',
      formula: SWAP_TO_MEMSW,
    });
  }
  if (limits['memory.low'] !== undefined) {
    w.push({
      controller: 'memory',
      file: 'memory.soft_limit_in_bytes',
      value: String(limits['memory.low']),
      key: 'memory.low',
      formula: LOW_TO_SOFT_LIMIT,
    });
  }
  const io = limits['io.max'];
  if (io && majMin) {
    for (const [field, file] of Object.entries(IO_THROTTLE_FILE) as [IoMaxField, string][]) {
      const v = io[field];
      // Writing 0 removes the device's rule: that is v1's "max".
      if (v !== undefined)
        w.push({
          controller: 'blkio',
          file,
          value: `${majMin} ${v === 'max' ? 0 : v}`,
          key: `io.max.${field}`,
        });
    }
  }
  if (limits['io.weight'] !== undefined) {
    w.push({
      controller: 'blkio',
      file: ioWeightFile,
      value: String(ioWeightToBlkio(limits['io.weight'])),
      key: 'io.weight',
      formula: IO_WEIGHT_TO_BLKIO,
    });
  }
  if (limits['pids.max'] !== undefined)
    w.push({ controller: 'pids', file: 'pids.max', value: String(limits['pids.max']), key: 'pids.max' });
  return w;
}

/** The value for `majMin` in a blkio.throttle.* file, or `max` when the device has no rule. */
export function throttleValue(text: string, majMin: string): { value: string; raw: string } {
  const line = text.split('\n').find((l) => l.startsWith(`${majMin} `));
  if (!line) return { value: 'max', raw: '' };
  const v = line.split(/\s+/)[1] ?? '0';
  return { value: v === '0' ? 'max' : v, raw: line };
}
