import { quote, UsageError } from './errors.js';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

/**
 * Parses a size such as `512MiB`, `1.5GiB`, `64k`, `10MB` or `4096` into bytes.
 * KiB/MiB/GiB (and bare K/M/G, as the kernel and stress-ng read them) are 1024-based;
 * KB/MB/GB are 1000-based. The result is rounded down to a whole byte.
 */
export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m?.[2]?.toLowerCase() ?? '';
  const factor = SIZE_UNITS[unit];
  if (!m || factor === undefined) {
    throw new UsageError(
      'ISOBENCH_BAD_SIZE',
      `${what}: expected a size such as 512MiB, 10MB or 4096, got ${quote(text)}`,
    );
  }
  const bytes = Math.floor(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError('ISOBENCH_BAD_SIZE', `${what}: size ${quote(text)} is too large`);
  }
  return bytes;
}

/** Parses a byte rate: a size optionally followed by `/s` (`10MiB/s`, `10MiB`). */
export function parseByteRate(text: string, what = 'rate'): number {
  return parseSize(text.replace(/\/s$/i, ''), what);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** Parses a duration such as `500ms`, `10s`, `2m`, `1h` or a bare number of seconds into milliseconds. */
export function parseDurationMs(text: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m?.[2]?.toLowerCase() || 's';
  const factor = DURATION_UNITS[unit];
  if (!m || factor === undefined) {
    throw new UsageError(
      'ISOBENCH_BAD_DURATION',
      `${what}: expected a duration such as 500ms, 10s or 2m, got ${quote(text)}`,
    );
  }
  return Math.round(Number(m[1]) * factor);
}

/** Formats bytes with a 1024-based unit, for messages and reports. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}
