/**
 * Reads a workload's stdout as protocol lines, validated at the boundary (workloads/lines.ts): the
 * `ready` line and the final `metrics` line; anything else on stdout (a command workload may print
 * anything) is ignored. stderr is kept as a bounded tail for failure messages.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { firstIssue, type MetricsLine, protocolLineSchema, type ReadyLine } from '../../workloads/lines.js';

export interface WorkloadOutput {
  /** The ready line; rejects when stdout closes first or the line is malformed. */
  ready: Promise<ReadyLine>;
  /**
   * The port a server accepts connections on, from its listening line or else its ready line;
   * null when stdout closes first or the ready line has no port.
   */
  listening: Promise<number | null>;
  final(): MetricsLine | null;
  /** The first malformed protocol line, described (`metrics line: port: expected number`). */
  protocolError(): string | null;
  stderrTail(): string;
}

const TAIL_BYTES = 4096;

export function watchOutput(stdout: Readable | null, stderr: Readable | null): WorkloadOutput {
  let final: MetricsLine | null = null;
  let protocolError: string | null = null;
  let tail = '';
  const ready = withResolvers<ReadyLine>();
  ready.promise.catch(() => {});
  const listening = withResolvers<number | null>();
  void ready.promise.then(
    (r) => listening.resolve(r.port ?? null),
    () => listening.resolve(null),
  );
  if (stdout) {
    const rl = createInterface({ input: stdout });
    rl.on('line', (line) => {
      if (!line.startsWith('{')) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        return; // not a protocol line
      }
      const type = (json as { type?: unknown }).type;
      if (type !== 'ready' && type !== 'listening' && type !== 'metrics') return;
      const parsed = protocolLineSchema.safeParse(json);
      if (!parsed.success) {
        protocolError ??= `${type} line: ${firstIssue(parsed.error)}`;
        if (type === 'ready') ready.reject(new Error(`malformed ready line (${protocolError})`));
        return;
      }
      if (parsed.data.type === 'ready') ready.resolve(parsed.data);
      else if (parsed.data.type === 'listening') listening.resolve(parsed.data.port);
      else final = parsed.data;
    });
    rl.on('close', () => ready.reject(new Error('stdout closed before a ready line')));
  } else listening.resolve(null);
  stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  });
  return {
    ready: ready.promise,
    listening: listening.promise,
    final: () => final,
    protocolError: () => protocolError,
    stderrTail: () => tail.trim(),
  };
}

/** Promise.withResolvers (Node 22) for Node 20. */
function withResolvers<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
