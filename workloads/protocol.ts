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

/** A server accepting connections on `port` before it is ready (see listeningLineSchema). */
export function emitListening(workload: string, port: number): void {
  writeLine({ type: 'listening', workload, pid: process.pid, port });
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

export interface StopListener {
  /** Resolves with the signal name, or 'duration' once `durationMs` (> 0) has passed from this call. */
  wait(durationMs: number): Promise<string>;
  /**
   * Calls `fn` on SIGUSR2, which the runner sends when warmup ends and the measured window begins:
   * a workload that keeps its own figures (histograms, counts) starts them afresh there, so its
   * final line describes the measured window only.
   */
  onMark(fn: () => void): void;
}

const markListeners: (() => void)[] = [];
function onMarkSignal(): void {
  for (const fn of markListeners) fn();
}
(onMarkSignal as { isobenchStop?: boolean }).isobenchStop = true;

/**
 * Installs SIGTERM/SIGINT handlers now — before the ready line and before slow setup such as
 * starting postgres — so a stop that arrives early is never the default "die at once" (which would
 * lose the metrics line and could leave a postgres server behind). After the first signal further
 * ones are ignored until we exit, so shutdown cannot be cut short.
 */
export function listenForStop(): StopListener {
  let signalled: string | undefined;
  installed.add(listenerCleanup);
  let wake: ((reason: string) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.on('SIGTERM', ignore);
    process.on('SIGINT', ignore);
    signalled = signal;
    wake?.(signal);
  };
  (onSignal as { isobenchStop?: boolean }).isobenchStop = true;
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Installed for every workload: without a listener, SIGUSR2 would terminate node.
  if (!process.listeners('SIGUSR2').includes(onMarkSignal)) process.on('SIGUSR2', onMarkSignal);
  return {
    onMark(fn) {
      markListeners.push(fn);
    },
    wait(durationMs) {
      if (signalled) return Promise.resolve(signalled);
      return new Promise((resolve) => {
        // Signal listeners do not keep node alive: an idle workload (memory hold, done allocating)
        // would just exit without its metrics line. This timer keeps the loop alive until stopped.
        const timer =
          durationMs > 0 ? setTimeout(() => finish('duration'), durationMs) : setInterval(() => {}, 2 ** 30);
        const finish = (reason: string) => {
          clearTimeout(timer);
          resolve(reason);
        };
        wake = finish;
      });
    },
  };
}

function ignore(): void {}

const installed = new Set<() => void>();
function listenerCleanup(): void {
  markListeners.length = 0;
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGUSR2'] as const) {
    for (const listener of process.listeners(signal)) {
      if (listener === ignore || (listener as { isobenchStop?: boolean }).isobenchStop)
        process.off(signal, listener);
    }
  }
}

/**
 * Removes every handler listenForStop installed: when a workload runs in-process (the harness CLI
 * calls workloadMain), signals must behave normally again once it has returned.
 */
export function releaseStopHandlers(): void {
  for (const cleanup of installed) cleanup();
  installed.clear();
}

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

// The timers live in one module (harness/timers.ts, dependency-free like units and errors).
export { settledWithin, sleep as sleepMs } from '../harness/timers.js';
