/**
 * Named conversions from cgroup v2 limit values to their v1 files, and back.
 *
 * Limits are always requested in v2 names and units; a v1 driver writes the converted value and
 * reports both. The formulas differ between tools (see shared/reference/cgroup-mechanics.md §1),
 * so each has a name that goes into the output.
 */

/**
 * cpu.weight -> cpu.shares: systemd's linear mapping, `CLAMP(w * 1024 / 100, 2, 262144)`, with the
 * reverse `CLAMP(s * 100 / 1024, 1, 10000)`.
 *
 * Why systemd's and not runc/crun's: runc >= 1.3.2 and crun >= 1.23 map shares to weight with a
 * log-quadratic curve chosen so that 2, 1024 and 262144 land on 1, 100 and 10000; inverted, it turns a
 * 1:4 weight ratio into 1:5.7 shares (400 -> 5793). CFS divides CPU in proportion to shares, so only a
 * linear mapping makes a v1 host split CPU the way the same cpu.weight values split it on v2.
 */
export const CPU_WEIGHT_TO_SHARES = 'systemd: shares = clamp(weight * 1024 / 100, 2, 262144)';

export function cpuWeightToShares(weight: number): number {
  return Math.min(262144, Math.max(2, Math.floor((weight * 1024) / 100)));
}

/**
 * The reverse, rounded to the nearest weight (systemd divides down): shares = floor(w * 10.24) lies
 * within 1/10.24 below w * 10.24, so rounding reads back exactly the weight that was written.
 */
export function cpuSharesToWeight(shares: number): number {
  return Math.min(10000, Math.max(1, Math.round((shares * 100) / 1024)));
}

/**
 * runc/crun's shares -> weight (ConvertCPUSharesToCgroupV2Value, crun convert_shares_to_weight),
 * kept to translate v1 settings that users copy from those tools' configurations and to document
 * why it is not used for writing.
 */
export function runcSharesToWeight(shares: number): number {
  if (shares === 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612.0 - 7.0 / 34.0;
  return Math.ceil(10 ** exponent);
}

/** cpu.max -> cfs_quota_us / cfs_period_us: the same numbers; `max` is -1 in v1. */
export const CPU_MAX_TO_CFS = 'cfs_quota_us = quota (max -> -1), cfs_period_us = period';

/**
 * io.weight -> blkio.weight (CFQ) or blkio.bfq.weight (BFQ): systemd's
 * `CLAMP(w * 500 / 100, 10, 1000)` (v1 weights run 10..1000 with default 500; v2's 1..10000 with 100).
 */
export const IO_WEIGHT_TO_BLKIO = 'systemd: blkio.weight = clamp(io.weight * 500 / 100, 10, 1000)';

export function ioWeightToBlkio(weight: number): number {
  return Math.min(1000, Math.max(10, Math.floor((weight * 500) / 100)));
}

export function blkioWeightToIo(weight: number): number {
  return Math.min(10000, Math.max(1, Math.floor((weight * 100) / 500)));
}

/**
 * memory.swap.max -> memory.memsw.limit_in_bytes: v1 limits memory plus swap together, so
 * memsw = memory.max + swap.max (runc's ConvertMemorySwapToCgroupV2Value, reversed). Needs memory.max.
 */
export const SWAP_TO_MEMSW = 'runc: memsw.limit_in_bytes = memory.max + memory.swap.max';

/**
 * memory.low -> memory.soft_limit_in_bytes (runc and crun map the OCI reservation this way).
 * An approximation: the v1 soft limit only orders reclaim under global pressure and is not
 * hierarchical, where v2's memory.low protects the cgroup's memory below the value.
 */
export const LOW_TO_SOFT_LIMIT = 'approximation (runc/crun): memory.low -> memory.soft_limit_in_bytes';

/** v1 prints "unlimited" as the largest page-aligned 64-bit value (9223372036854771712 on x86_64). */
export const V1_UNLIMITED_MIN = 2 ** 62;

export function v1BytesToV2(raw: string): string {
  const n = Number(raw);
  return n >= V1_UNLIMITED_MIN ? 'max' : String(BigInt(raw));
}
