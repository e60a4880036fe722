/**
 * The workload protocol: exactly one `{"type":"ready"}` JSON line on stdout once the
 * workload can serve, then, after SIGTERM/SIGINT (or `--duration`), exactly one
 * `{"type":"metrics"}` line and exit 0. Everything else goes to stderr, so the harness
 * can parse stdout line by line without filtering.
 */
import { readFileSync } from 'node:fs';

export function emitReady(workload: string, fields: Record<string, unknown> = {}): void {
  writeLine({ type: 'ready', workload, pid: process.pid, ...fields });
}

export function emitMetrics(workload: string, fields: Record<string, unknown>): void {
  writeLine({ type: 'metrics', workload, pid: process.pid, ...fields });
}

function writeLine(value: unknown): void {
  // stdout to a pipe or file is synchronous on Linux, so the line is out before we exit.
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function log(workload: string, message: string): void {
  process.stderr.write(`[isobench ${workload} ${process.pid}] ${message}\n`);
}

/**
 * Resolves with the signal name on the first SIGTERM/SIGINT, or 'duration' after
 * `durationMs` (> 0). The listeners stay installed until the returned promise settles so a
 * second signal during shutdown does not kill the process before the metrics line.
 */
export function waitForStop(durationMs = 0): Promise<string> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (reason: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      // Ignore further signals while we write metrics and clean up.
      process.on('SIGTERM', ignore);
      process.on('SIGINT', ignore);
      if (timer) clearTimeout(timer);
      resolve(reason);
    };
    const onTerm = () => finish('SIGTERM');
    const onInt = () => finish('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    if (durationMs > 0) timer = setTimeout(() => finish('duration'), durationMs);
  });
}

function ignore(): void {}

/** Fields of /proc/<pid>/status in bytes (VmRSS, VmHWM ...); empty off Linux. */
export function procStatusBytes(pid: number | 'self' = 'self'): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
      const m = /^(\w+):\s+(\d+) kB$/.exec(line);
      if (m?.[1] && m[2]) out[m[1]] = Number(m[2]) * 1024;
    }
  } catch {
    // Not Linux or the process is gone: callers treat missing fields as unknown.
  }
  return out;
}

/** Memory figures every workload adds to its metrics line. */
export function memoryFigures(): { rssBytes: number; peakRssBytes: number } {
  const status = procStatusBytes();
  return { rssBytes: status.VmRSS ?? 0, peakRssBytes: status.VmHWM ?? 0 };
}

/** Resolves after `ms` milliseconds. */
export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
