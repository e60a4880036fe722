/**
 * The six limits every container benchmark applies (the same values as the peers' configs in
 * oci.ts): CPU weight and quota, memory max and low, pids, disk write bandwidth.
 */
import { type BlockDevice, blockDeviceFor } from '../cgroup/device.js';
import type { Limits } from '../limits.js';
import { parseLimitArgs } from '../limits.js';

export const SIX_LIMIT_ARGS = [
  'cpu.weight=200',
  'cpu.max=50000 100000',
  'memory.max=256MiB',
  'memory.low=16MiB',
  'pids.max=100',
  'io.max.wbps=10MiB',
] as const;

export interface SixLimits {
  limits: Limits;
  device: BlockDevice;
}

/** The limits with the disk that backs `dir` (io.max needs its whole-disk MAJ:MIN). */
export function sixLimits(dir: string): SixLimits {
  return { limits: parseLimitArgs(SIX_LIMIT_ARGS).limits, device: blockDeviceFor(dir) };
}
