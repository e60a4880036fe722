/**
 * Reads a workload's stdout as protocol lines: the `ready` line, the final `metrics` line, and
 * anything else (kept, bounded, for failure messages). stderr is kept as a bounded tail too.
 */

import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface WorkloadOutput {
  ready: Promise<Record<string, unknown>>;
  final(): Record<string, unknown> | null;
  stderrTail(): string;
}

const TAIL_BYTES = 4096;

export function watchOutput(stdout: Readable | null, stderr: Readable | null): WorkloadOutput {
  let final: Record<string, unknown> | null = null;
  let tail = '';
  let resolveReady: (v: Record<string, unknown>) => void = () => {};
  let rejectReady: (e: Error) => void = () => {};
  const ready = new Promise<Record<string, unknown>>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {});
  if (stdout) {
    const rl = createInterface({ input: stdout });
    rl.on('line', (line) => {
      if (!line.startsWith('{')) return;
      try {
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.type === 'ready') resolveReady(msg);
        else if (msg.type === 'metrics') final = msg;
      } catch {
        /* not a protocol line: a command workload may print anything */
      }
    });
    rl.on('close', () => rejectReady(new Error('stdout closed before a ready line')));
  }
  stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  });
  return { ready, final: () => final, stderrTail: () => tail.trim() };
}
