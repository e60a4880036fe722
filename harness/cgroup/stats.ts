/** Parsers for cgroup statistics files (pure functions, so they are unit-tested on captured text). */
import type { CgroupStats, Psi } from './driver.js';
import { parseKeyed } from './fsio.js';

/** `some avg10=0.00 avg60=0.00 avg300=0.00 total=123` / `full ...` */
export function parsePressure(text: string | null): Psi | null {
  if (text === null) return null;
  let some: number | null = null;
  let full: number | null = null;
  for (const line of text.split('\n')) {
    const m = /^(some|full)\b.*\btotal=(\d+)/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'some') some = Number(m[2]);
    else full = Number(m[2]);
  }
  return some === null ? null : { someTotalUs: some, fullTotalUs: full };
}

/** v2 io.stat: `MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N` per device, summed. */
export function parseIoStat(
  text: string | null,
): { rbytes: number; wbytes: number; rios: number; wios: number } | null {
  if (text === null) return null;
  const sum = { rbytes: 0, wbytes: 0, rios: 0, wios: 0 };
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(/\b(rbytes|wbytes|rios|wios)=(\d+)/g)) {
      sum[m[1] as keyof typeof sum] += Number(m[2]);
    }
  }
  return sum;
}

/** v1 blkio.throttle.io_service_bytes(_recursive) / io_serviced: `MAJ:MIN Read N` lines; `Total` lines skipped. */
export function parseBlkioRecursive(text: string | null): { read: number; write: number } | null {
  if (text === null) return null;
  let read = 0;
  let write = 0;
  for (const line of text.split('\n')) {
    const m = /^\d+:\d+\s+(Read|Write)\s+(\d+)/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'Read') read += Number(m[2]);
    else write += Number(m[2]);
  }
  return { read, write };
}

export function keyed(text: string | null): Record<string, number> {
  return text === null ? {} : parseKeyed(text);
}

export function num(text: string | null): number | null {
  if (text === null || !/^\d+$/.test(text)) return null;
  return Number(text);
}

/**
 * Each counter's larger value of two readings (null where both are null): for counters of one
 * container read from two cgroups that each saw part of them (a runtime's payload cgroup while it
 * lived, the container's cgroup that outlives it).
 */
export function maxStats(a: CgroupStats, b: CgroupStats): CgroupStats {
  const pick = (x: number | null, y: number | null) => (x === null ? y : y === null ? x : Math.max(x, y));
  const psi = (x: Psi | null, y: Psi | null): Psi | null =>
    x === null
      ? y
      : y === null
        ? x
        : {
            someTotalUs: Math.max(x.someTotalUs, y.someTotalUs),
            fullTotalUs: pick(x.fullTotalUs, y.fullTotalUs),
          };
  const out = { ...a } as Record<string, unknown>;
  for (const k of Object.keys(a) as (keyof CgroupStats)[]) {
    if (k === 'psi') continue;
    out[k] = pick(a[k] as number | null, b[k] as number | null);
  }
  out.psi =
    a.psi === null
      ? b.psi
      : b.psi === null
        ? a.psi
        : {
            cpu: psi(a.psi.cpu, b.psi.cpu),
            memory: psi(a.psi.memory, b.psi.memory),
            io: psi(a.psi.io, b.psi.io),
          };
  return out as unknown as CgroupStats;
}
