/**
 * The generator's window as a runner sees it: a real `load` process, a server in this process
 * that counts connections and requests. Assertions are on counts and on instants the generator
 * reports, never on how long anything took.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, MAIN_JS, waitFor } from '../test/helpers.js';
import { LOAD_ENGINES, type LoadResult } from './run.js';

interface Counting {
  url: string;
  requests: number;
  connections: number;
  /** Requests that arrived before `epochMs` (server's Date.now()). */
  arrivalsBefore(epochMs: number): number;
  server: Server;
}

let counting: Counting | undefined;
let generator: ChildProcess | undefined;

beforeAll(() => ensureBuilt());
afterEach(async () => {
  generator?.kill('SIGKILL');
  generator = undefined;
  counting?.server.closeAllConnections();
  await new Promise((resolve) => counting?.server.close(resolve) ?? resolve(undefined));
  counting = undefined;
});

async function startCounting(): Promise<Counting> {
  const arrivals: number[] = [];
  const c = { requests: 0, connections: 0 } as Counting;
  const server = createServer((_req, res) => {
    c.requests++;
    arrivals.push(Date.now());
    res.end('ok');
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => c.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  c.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  c.arrivalsBefore = (epochMs) => arrivals.filter((t) => t < epochMs).length;
  c.server = server;
  counting = c;
  return c;
}

type Line = Record<string, unknown> & { type?: string };

/** Spawns `load ARGS --json`; `lines` fills as the generator prints. */
function startGenerator(args: string[]) {
  const child = spawn(process.execPath, [MAIN_JS, 'load', ...args, '--json'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  generator = child;
  const lines: Line[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  rl.on('line', (l) => lines.push(JSON.parse(l) as Line));
  const stdoutClosed = new Promise((resolve) => rl.once('close', resolve));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = async () => {
    const ok = await waitFor(() => lines.some((l) => l.type === 'ready') || child.exitCode !== null, 30_000);
    if (!ok || child.exitCode !== null) throw new Error(`no ready line: ${stderr}`);
    return lines.find((l) => l.type === 'ready') as Line;
  };
  const result = async () => {
    const code = await exited;
    await stdoutClosed;
    return { code, stderr, result: lines.find((l) => l.type === 'result') as unknown as LoadResult };
  };
  return { child, lines, ready, result };
}

describe('isobench load: start instant, window, stop', () => {
  it.each(LOAD_ENGINES)(
    '%s engine: opens its connections, says ready, and sends nothing until the start instant it is given on stdin',
    async (engine) => {
      const server = await startCounting();
      const gen = startGenerator([
        server.url,
        ...['--rate', '200', '--duration', '1s', '--warmup', '500ms', '--connections', '4'],
        ...['--start-at', 'stdin', '--engine', engine],
      ]);
      const ready = await gen.ready();
      expect(ready).toMatchObject({ generator: 'load', engine, connectionsOpen: 4, startAt: 'stdin' });
      // Ready means loaded and connected: the server has the sockets, not a single request.
      await waitFor(() => server.connections === 4, 5_000);
      expect(server.connections).toBe(4);
      expect(server.requests).toBe(0);

      const startAt = Date.now() + 300;
      gen.child.stdin?.write(`${startAt}\n`);
      const { code, result } = await gen.result();
      expect(code).toBe(0);
      expect(result.window).toMatchObject({
        scheduleStartEpochMs: startAt,
        startEpochMs: startAt + 500,
        endEpochMs: startAt + 1500,
        stopReason: 'duration',
      });
      expect(result.scheduled).toBe(200);
      expect(result.requests).toBe(200);
      expect(result.warmupRequests).toBe(100);
      expect(result.completed).toBe(200);
      expect(result.errors + result.timeouts + result.abandoned).toBe(0);
      expect(server.requests).toBe(300);
      // No request reached the server before the start instant (same host, same wall clock).
      expect(server.arrivalsBefore(startAt)).toBe(0);
      // The pool used the sockets opened before the start and never opened another.
      expect(server.connections).toBe(4);
      // Intervals by due time: the warmup [-500, 0), then the window's one second.
      expect(
        result.intervals.map((i) => [i.startMs, i.durationMs, i.warmup, i.requests, i.completed]),
      ).toEqual([
        [-500, 500, true, 100, 100],
        [0, 1000, false, 200, 200],
      ]);
    },
  );

  it('SIGTERM ends the window at once, drains what is in flight and prints the result for what was measured', async () => {
    const server = await startCounting();
    const gen = startGenerator([server.url, '--rate', '200', '--duration', '60s', '--warmup', '1s']);
    await gen.ready();
    // Stop inside the measured window: after the 200 warmup requests and some more.
    await waitFor(() => server.requests >= 400, 30_000);
    gen.child.kill('SIGTERM');
    const { code, result } = await gen.result();
    expect(code).toBe(0);
    expect(result.window.stopReason).toBe('SIGTERM');
    expect(result.scheduled).toBe(12_000);
    expect(result.requests).toBeGreaterThanOrEqual(200);
    expect(result.requests).toBeLessThan(12_000);
    expect(result.warmupRequests).toBe(200);
    // Everything sent was due inside the window and was answered (drained), none abandoned.
    expect(result.completed).toBe(result.requests);
    expect(result.abandoned).toBe(0);
    expect(server.requests).toBe(result.requests + result.warmupRequests);
    expect(result.window.endEpochMs).toBeLessThan(result.window.startEpochMs + 60_000);
    const measured = result.intervals.filter((i) => !i.warmup);
    expect(measured.reduce((a, i) => a + i.requests, 0)).toBe(result.requests);
    // The last interval ends with the window.
    const last = measured.at(-1);
    expect((last?.startMs ?? 0) + (last?.durationMs ?? 0)).toBeCloseTo(
      result.window.endEpochMs - result.window.startEpochMs,
      2,
    );
  });

  it('a stop while waiting for the start instant sends nothing and still prints a result', async () => {
    const server = await startCounting();
    const gen = startGenerator([server.url, '--rate', '100', '--duration', '1s', '--start-at', 'stdin']);
    await gen.ready();
    gen.child.kill('SIGINT');
    const { code, result } = await gen.result();
    expect(code).toBe(0);
    expect(result.window.stopReason).toBe('SIGINT');
    expect(result.requests + result.warmupRequests).toBe(0);
    expect(server.requests).toBe(0);
  });

  it('--port stdin: loads, opens nothing until it is told the port, then connects, says ready and waits for T0', async () => {
    const server = await startCounting();
    const gen = startGenerator([
      'http://127.0.0.1/',
      ...['--port', 'stdin', '--rate', '100', '--duration', '500ms', '--connections', '3'],
      ...['--start-at', 'stdin'],
    ]);
    // Not told where yet: no ready line, no socket, however long it waits.
    await waitFor(() => false, 500);
    expect(gen.lines).toEqual([]);
    expect(server.connections).toBe(0);
    gen.child.stdin?.write(`${new URL(server.url).port}\n`);
    expect(await gen.ready()).toMatchObject({ connectionsOpen: 3 });
    await waitFor(() => server.connections === 3, 5_000);
    expect(server.requests).toBe(0);
    gen.child.stdin?.end(`${Date.now() + 100}\n`);
    const { code, result } = await gen.result();
    expect(code).toBe(0);
    expect(result.requests).toBe(50);
    expect(result.completed).toBe(50);
    expect(server.requests).toBe(50);
    expect(server.connections).toBe(3);
  });

  it('--port stdin: a port that is not one is refused (exit 2), quoted, with nothing opened', async () => {
    const server = await startCounting();
    const gen = startGenerator(['http://127.0.0.1/', '--port', 'stdin', '--rate', '100', '--duration', '1s']);
    gen.child.stdin?.end('70000\n');
    const { code, stderr } = await gen.result();
    expect(code).toBe(2);
    expect(stderr).toContain('"70000"');
    expect(server.connections).toBe(0);
  });

  it('refuses an unknown --engine (exit 2), quoted, with nothing opened', async () => {
    const server = await startCounting();
    const gen = startGenerator([server.url, '--rate', '100', '--duration', '1s', '--engine', 'rust']);
    const { code, stderr } = await gen.result();
    expect(code).toBe(2);
    expect(stderr).toContain('--engine expects native|node, got "rust"');
    expect(server.connections).toBe(0);
  });

  it('refuses a start instant in seconds (or any instant a minute past) before opening a socket', async () => {
    const server = await startCounting();
    const gen = startGenerator([server.url, '--rate', '100', '--duration', '1s', '--start-at', '1700000000']);
    const { code, stderr } = await gen.result();
    expect(code).toBe(2);
    expect(stderr).toContain('"1700000000"');
    expect(server.connections).toBe(0);
  });
});
