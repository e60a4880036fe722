/**
 * `isobench load --serve`, the runner's resident generator: one process, one job after another,
 * each with the port and start lines a runner writes, each answered by a ready and a result line.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, MAIN_JS, type Running, startWorkload } from '../test/helpers.js';

let server: Running | undefined;

beforeAll(() => ensureBuilt());
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** The runner's argv for one job: port and start instant on stdin. */
const JOB = ['http://127.0.0.1/', '--port', 'stdin', '--start-at', 'stdin', '--json'];

function serve() {
  const child = spawn(process.execPath, [MAIN_JS, 'load', '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(JSON.parse(l) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  /** The next line of `type`, after `from` lines were read. */
  const line = async (type: string, from: number) => {
    for (;;) {
      const found = lines.slice(from).find((l) => l.type === type);
      if (found) return found;
      if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) first: ${stderr}`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), exit]);
    }
  };
  return { child, lines, line, exit, stderr: () => stderr };
}

describe('isobench load --serve', () => {
  it('runs jobs one after another in one process, each with its own ready and result lines', async () => {
    server = startWorkload('web', ['--working-set', '4MiB']);
    const port = (await server.ready).port as number;
    const g = serve();
    for (const [i, rate] of [
      [0, 200],
      [1, 100],
    ] as const) {
      const from = g.lines.length;
      g.child.stdin.write(
        `${JSON.stringify({ argv: [...JOB, '--rate', String(rate), '--duration', '500ms'], via: [] })}\n`,
      );
      g.child.stdin.write(`${port}\n`);
      const ready = await g.line('ready', from);
      expect(ready.pid).toBe(g.child.pid);
      g.child.stdin.write(`${Date.now() + 50}\n`);
      const result = await g.line('result', from);
      // 500 ms at the job's rate, all answered: each job is its own schedule.
      expect([i, result.scheduled, result.completed, result.errors]).toEqual([i, rate / 2, rate / 2, 0]);
    }
    expect(g.lines.map((l) => l.type)).toEqual(['ready', 'result', 'ready', 'result']);
    // The end of stdin ends it, with no further line.
    g.child.stdin.end();
    expect(await g.exit).toBe(0);
    expect(g.lines).toHaveLength(4);
  });

  it("starts each job's sender through its `via` prefix (the runner's nsenter)", async () => {
    server = startWorkload('web', ['--working-set', '4MiB']);
    const port = (await server.ready).port as number;
    const g = serve();
    const via = ['/nonexistent/isobench-via'];
    g.child.stdin.write(
      `${JSON.stringify({ argv: [...JOB, '--rate', '100', '--duration', '500ms'], via })}\n`,
    );
    g.child.stdin.write(`${port}\n`);
    // The prefix is what was started: it does not exist, so the sender never runs.
    expect(await g.exit).not.toBe(0);
    expect(g.lines.filter((l) => l.type === 'ready')).toEqual([]);
    expect(g.stderr()).toContain('isobench-loadgen exited before it was ready');
    expect(g.stderr()).toContain('/nonexistent/isobench-via');
  });

  it('refuses a job line that is not a job: exit 2 with the line', async () => {
    const g = serve();
    g.child.stdin.write('hello\n');
    expect(await g.exit).toBe(2);
    expect(g.stderr()).toContain('a job must be one JSON line');
  });
});
