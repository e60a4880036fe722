/**
 * bench:load's peers, each run beside or between isobench load's runs: wrk (closed loop), wrk2
 * (open loop, where installed) and the timer floor (isobench-loadgen --timer-floor).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { loadgenBinary } from '../load/native.js';

/** The timer floor's highest rate (see timerFloor). */
export const FLOOR_MAX_HZ = 1000;

/** What `isobench-loadgen --timer-floor` prints (loadgen.c, timer_floor). */
export interface TimerFloor {
  rateHz: number;
  due: number;
  late: number;
  maxLateMs: number;
  cpuUs: number;
}

/**
 * The peer for late sends, beside each step: the generator's own wait (same binary, timer, spin
 * lead and scheduler slice) with nothing to send, for the step's warm-up and window, at the
 * step's rate up to FLOOR_MAX_HZ (above that its wake-ups would cost the step's server and
 * generator a few percent of a core: ~36 us each here). Its share of wake-ups more than 1 ms late
 * is what this host allowed any sleeping process during the step: on a virtual machine, mostly
 * its host running something else (steal).
 */
export function timerFloor(rateHz: number, durationMs: number): Promise<TimerFloor> {
  const floorHz = Math.min(rateHz, FLOOR_MAX_HZ);
  return new Promise((resolve, reject) => {
    execFile(loadgenBinary(), ['--timer-floor', String(floorHz), String(durationMs)], (err, stdout) => {
      if (err) reject(new Error(`isobench-loadgen --timer-floor: ${err.message}`));
      else resolve({ rateHz: floorHz, ...(JSON.parse(stdout) as Omit<TimerFloor, 'rateHz'>) });
    });
  });
}

export interface WrkResult {
  requestsPerSec: number;
  p50Us: number;
  p99Us: number;
}

function toUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const factor = m[2] === 'us' ? 1 : m[2] === 'ms' ? 1000 : 1_000_000;
  return Number(m[1]) * factor;
}

export function wrk(url: string, connections: number, seconds: number): WrkResult {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
  });
  const p = (q: string) => toUs(new RegExp(`^\\s+${q}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50Us: p('50'),
    p99Us: p('99'),
  };
}

/** wrk2's binary: ISOBENCH_WRK2, else `wrk2` on PATH; null when neither runs. */
export function wrk2Binary(): string | null {
  const bin = process.env.ISOBENCH_WRK2 ?? 'wrk2';
  const r = spawnSync(bin, ['--version'], { stdio: 'ignore' });
  return r.error ? null : bin;
}

/**
 * wrk2 (github.com/giltene/wrk2, not packaged by Debian): an open-loop peer at the same rate and
 * connection count, its latency measured from each request's intended send time, as ours is
 * corrected. Its schedule is uniform per connection where ours is Poisson (burstier: more queueing
 * at the same rate). Its first 10 s (+5 ms per connection) calibrate and are not counted.
 */
export function wrk2(
  bin: string,
  url: string,
  connections: number,
  rateHz: number,
  seconds: number,
): WrkResult {
  const out = execFileSync(
    bin,
    ['-t1', `-c${connections}`, `-d${seconds}s`, `-R${rateHz}`, '--latency', url],
    { encoding: 'utf8' },
  );
  const p = (q: string) => toUs(new RegExp(`^\\s+${q}\\.000%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN),
    p50Us: p('50'),
    p99Us: p('99'),
  };
}

export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version; only ENOENT means missing.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
