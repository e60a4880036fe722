/** Test helpers: run workloads as real processes from dist/ and read their figures from /proc. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { procStat } from '../../harness/host/procfs.js';
import { ensureFreshBuild } from '../../harness/testing/build.js';
import { sleep } from '../../harness/timers.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN_JS = join(REPO, 'dist/workloads/main.js');

/**
 * Workload processes run the compiled JS (Node 20 cannot run .ts): rebuild when the sources are
 * newer than dist/, and fail (with tsc's output) when the build does not compile.
 */
export function ensureBuilt(): void {
  ensureFreshBuild();
  if (!existsSync(MAIN_JS)) throw new Error(`build failed: ${MAIN_JS} missing`);
}

export type Json = Record<string, unknown> & { type?: string };

export interface Running {
  child: ChildProcess;
  pid: number;
  ready: Promise<Json>;
  /** SIGTERM, then the metrics line and the exit code. */
  stop(signal?: NodeJS.Signals): Promise<{ metrics: Json; code: number | null; lines: Json[] }>;
  stderr(): string;
}

/** Spawns `command...` (default: node main.js workload ...) and parses its JSON stdout lines. */
export function startProcess(command: string[]): Running {
  const [file, ...args] = command;
  const child = spawn(file ?? 'node', args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Json[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const closed = new Promise<void>((resolve) => rl.once('close', () => resolve()));
  const ready = new Promise<Json>((resolve, reject) => {
    rl.on('line', (line) => {
      const value = JSON.parse(line) as Json;
      lines.push(value);
      if (value.type === 'ready') resolve(value);
    });
    void exit.then((code) => reject(new Error(`exited (${code}) before ready: ${stderr}`)));
  });
  ready.catch(() => {});
  return {
    child,
    pid: child.pid ?? -1,
    ready,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exit;
      await closed;
      const metrics = lines.find((l) => l.type === 'metrics') ?? {};
      return { metrics, code, lines };
    },
  };
}

export function startWorkload(name: string, args: string[]): Running {
  return startProcess([process.execPath, MAIN_JS, 'workload', name, ...args]);
}

/** utime + stime of a process, in clock ticks (USER_HZ, 100 per second on Linux). */
export function cpuTicks(pid: number): number {
  const stat = procStat(pid);
  if (!stat) throw new Error(`no /proc/${pid}/stat`);
  return stat.utimeTicks + stat.stimeTicks;
}

/** /proc/<pid>/io as numbers (rchar, wchar, syscr, syscw, read_bytes, write_bytes ...). */
export function procIo(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/io`, 'utf8').trim().split('\n')) {
    const [key, value] = line.split(':');
    if (key && value) out[key.trim()] = Number(value.trim());
  }
  return out;
}

/** A /proc/<pid>/status field in bytes (VmRSS, VmHWM). */
export function statusBytes(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m?.[1] ? Number(m[1]) * 1024 : 0;
}

export { sleep };

/** Polls `probe` every 50 ms until it returns true or `limitMs` passes (then returns false). */
export async function waitFor(probe: () => boolean, limitMs: number): Promise<boolean> {
  for (let waited = 0; waited < limitMs; waited += 50) {
    if (probe()) return true;
    await sleep(50);
  }
  return probe();
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
