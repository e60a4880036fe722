/**
 * The limit vocabulary: cgroup v2 names and units, shared by `isobench exec`, scenarios and
 * the cgroup drivers. Pure parsing; nothing here touches the system.
 *
 * Keys are flat: `io.max` is written per field (`io.max.wbps=10MiB`).
 */
import { quote, UsageError } from './errors.js';
import { parseByteRate, parseSize } from './units.js';

export const IO_MAX_FIELDS = ['rbps', 'wbps', 'riops', 'wiops'] as const;
export type IoMaxField = (typeof IO_MAX_FIELDS)[number];

/** `max` means "no limit" everywhere it is accepted, as in the kernel's v2 files. */
export type Max = 'max';

export interface CpuMax {
  quotaUs: number | Max;
  periodUs: number;
}

export interface Limits {
  'cpu.weight'?: number;
  'cpu.max'?: CpuMax;
  'memory.max'?: number | Max;
  'memory.high'?: number | Max;
  'memory.low'?: number;
  'memory.swap.max'?: number | Max;
  'io.max'?: Partial<Record<IoMaxField, number | Max>>;
  'io.weight'?: number;
  'pids.max'?: number | Max;
  'cpuset.cpus'?: string;
  'cpuset.mems'?: string;
}

export type LimitName = keyof Limits;

/** Every key a user may write, in the order limits are documented and applied. */
export const LIMIT_KEYS = [
  'cpu.weight',
  'cpu.max',
  'memory.max',
  'memory.high',
  'memory.low',
  'memory.swap.max',
  'io.max.rbps',
  'io.max.wbps',
  'io.max.riops',
  'io.max.wiops',
  'io.weight',
  'pids.max',
  'cpuset.cpus',
  'cpuset.mems',
] as const;
export type LimitKey = (typeof LIMIT_KEYS)[number];

export const DEFAULT_CPU_PERIOD_US = 100_000;

function bad(key: string, expected: string, value: string): UsageError {
  return new UsageError('ISOBENCH_BAD_LIMIT', `limit ${key}: expected ${expected}, got ${quote(value)}`);
}

function integerIn(key: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value.trim())) throw bad(key, `an integer from ${min} to ${max}`, value);
  const n = Number(value);
  if (n < min || n > max) throw bad(key, `an integer from ${min} to ${max}`, value);
  return n;
}

function sizeOrMax(key: string, value: string): number | Max {
  if (value.trim() === 'max') return 'max';
  try {
    return parseSize(value, `limit ${key}`);
  } catch {
    throw bad(key, 'a size such as 512MiB, 1GB or 4096, or max', value);
  }
}

function parseCpuMax(key: string, value: string): CpuMax {
  const parts = value.trim().split(/\s+/);
  if (parts.length === 1 && parts[0] === 'max') return { quotaUs: 'max', periodUs: DEFAULT_CPU_PERIOD_US };
  const [q, p] = parts;
  const expected = '"QUOTA PERIOD" in microseconds (such as "50000 100000"), "max" or "max PERIOD"';
  if (parts.length > 2 || q === undefined) throw bad(key, expected, value);
  // The kernel accepts periods from 1 ms to 1 s and quotas of at least 1 ms.
  const periodUs = p === undefined ? DEFAULT_CPU_PERIOD_US : integerIn(key, p, 1000, 1_000_000);
  if (q === 'max') return { quotaUs: 'max', periodUs };
  if (!/^\d+$/.test(q)) throw bad(key, expected, value);
  const quotaUs = Number(q);
  if (quotaUs < 1000) throw bad(key, 'a quota of at least 1000 µs (the kernel minimum)', value);
  return { quotaUs, periodUs };
}

function parseCpuList(key: string, value: string): string {
  const v = value.trim();
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(v))
    throw bad(key, 'a CPU or node list such as 0, 0-1 or 0,2-3', value);
  return v;
}

/** Parses one `KEY=VALUE` (or key and value) into `limits`, throwing a UsageError that quotes the bad part. */
export function applyLimit(limits: Limits, key: string, value: string): void {
  switch (key) {
    case 'cpu.weight':
      limits['cpu.weight'] = integerIn(key, value, 1, 10000);
      return;
    case 'io.weight':
      limits['io.weight'] = integerIn(key, value, 1, 10000);
      return;
    case 'cpu.max':
      limits['cpu.max'] = parseCpuMax(key, value);
      return;
    case 'memory.max':
    case 'memory.high':
    case 'memory.swap.max':
      limits[key] = sizeOrMax(key, value);
      return;
    case 'memory.low': {
      const v = sizeOrMax(key, value);
      if (v === 'max') throw bad(key, 'a size such as 256MiB (protection must be bounded)', value);
      limits['memory.low'] = v;
      return;
    }
    case 'pids.max':
      limits['pids.max'] = value.trim() === 'max' ? 'max' : integerIn(key, value, 1, 4_194_304);
      return;
    case 'cpuset.cpus':
    case 'cpuset.mems':
      limits[key] = parseCpuList(key, value);
      return;
    case 'io.max.rbps':
    case 'io.max.wbps':
    case 'io.max.riops':
    case 'io.max.wiops': {
      const field = key.slice('io.max.'.length) as IoMaxField;
      const io = limits['io.max'] ?? {};
      if (value.trim() === 'max') io[field] = 'max';
      else if (field.endsWith('bps')) {
        try {
          io[field] = parseByteRate(value, `limit ${key}`);
        } catch {
          throw bad(key, 'a byte rate such as 10MiB, 10MiB/s or 5MB, or max', value);
        }
        if (io[field] === 0) throw bad(key, 'a rate above 0 (0 is not a limit the kernel keeps)', value);
      } else io[field] = integerIn(key, value, 1, Number.MAX_SAFE_INTEGER);
      limits['io.max'] = io;
      return;
    }
    default:
      throw new UsageError(
        'ISOBENCH_UNKNOWN_LIMIT',
        `unknown limit ${quote(key)}: expected one of ${LIMIT_KEYS.join(', ')}`,
      );
  }
}

/** Parses `KEY=VALUE` strings as given on the command line. */
export function parseLimitArgs(args: readonly string[]): {
  limits: Limits;
  requested: Record<string, string>;
} {
  const limits: Limits = {};
  const requested: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        'ISOBENCH_BAD_LIMIT',
        `--limit: expected KEY=VALUE such as memory.max=256MiB, got ${quote(arg)}`,
      );
    const key = arg.slice(0, eq).trim();
    const value = arg.slice(eq + 1);
    applyLimit(limits, key, value);
    requested[key] = value.trim();
  }
  return { limits, requested };
}

/** Parses a record of key -> value (as a scenario holds them); numbers are taken as written. */
export function parseLimitRecord(record: Record<string, string | number>): Limits {
  const limits: Limits = {};
  for (const [key, value] of Object.entries(record)) applyLimit(limits, key, String(value));
  return limits;
}

/** True when a limit needs a block device (io.max, io.weight). */
export function needsBlockDevice(limits: Limits): boolean {
  return limits['io.max'] !== undefined || limits['io.weight'] !== undefined;
}
