/**
 * The native engine (isobench-loadgen) against raw TCP servers that misbehave on purpose, as
 * http-pool.test.ts does for the Node engine's client: the same cases, asserted on the outcome
 * counts of a whole run and on the connections and requests the server saw, never on time. Rates
 * are low enough that each request is answered before the next is due.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { availableParallelism, release } from 'node:os';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { itWhen } from '../../harness/testing/support.js';
import { ensureBuilt, sleep } from '../test/helpers.js';
import { OK, rawServer } from '../test/raw-http.js';
import { loadgenBinary } from './native.js';
import { type LoadOptions, type LoadResult, runLoad, type Standby } from './run.js';
import { dueOffsetsMs, seededRandom } from './schedule.js';

beforeAll(() => ensureBuilt());

const run = (url: URL, o: Omit<LoadOptions, 'url'>) => runLoad({ engine: 'native', url: url.href, ...o });
const outcomes = (r: LoadResult) => ({
  completed: r.completed,
  errors: r.errors,
  timeouts: r.timeouts,
  abandoned: r.abandoned,
});

describe('native engine: HTTP', () => {
  it('30 requests over 3 preconnected sockets, each the same GET with path, query and host', async () => {
    const heads: string[] = [];
    const raw = await rawServer((s) => s.write(OK));
    raw.server.prependListener('connection', (s: Socket) =>
      s.on('data', (d: Buffer) => heads.push(d.toString())),
    );
    const r = await run(raw.url, { rateHz: 100, durationMs: 300, connections: 3 });
    expect(r.requests).toBe(30);
    expect(outcomes(r)).toEqual({ completed: 30, errors: 0, timeouts: 0, abandoned: 0 });
    expect(raw.sockets.length).toBe(3);
    expect(raw.requests).toBe(30);
    expect(new Set(heads)).toEqual(new Set([`GET /x?y=1 HTTP/1.1\r\nhost: ${raw.url.host}\r\n\r\n`]));
    expect(r.latencyUs.count).toBe(30);
  });

  it('counts non-2xx/3xx statuses as errors and 3xx/204 as completed, keeping the socket', async () => {
    const statuses = [200, 302, 404, 500, 503, 204];
    const raw = await rawServer((s, n) =>
      s.write(`HTTP/1.1 ${statuses[n % statuses.length]} X\r\nContent-Length: 0\r\n\r\n`),
    );
    const r = await run(raw.url, { rateHz: 100, durationMs: 120, connections: 1 });
    expect(outcomes(r)).toEqual({ completed: 6, errors: 6, timeouts: 0, abandoned: 0 });
    expect(raw.sockets.length).toBe(1);
  });

  it('carries a response across TCP reads (head and body in pieces, chunked with a trailer too)', async () => {
    const pieces = [
      ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 5\r\n\r', '\nhel', 'lo'],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r', '\nabc\r\n0\r\n', 'X-T: 1\r\n\r\n'],
    ];
    const raw = await rawServer(async (s, n) => {
      for (const piece of pieces[n % 2] ?? []) {
        s.write(piece);
        await sleep(15);
      }
    });
    raw.server.on('connection', (s: Socket) => s.setNoDelay(true));
    const r = await run(raw.url, { rateHz: 5, durationMs: 800, connections: 1 });
    expect(outcomes(r)).toEqual({ completed: 4, errors: 0, timeouts: 0, abandoned: 0 });
    expect(raw.sockets.length).toBe(1);
  });

  it('replaces a socket the server closed after a response or with Connection: close', async () => {
    const raw = await rawServer((s, n) => {
      if (n % 3 === 0) s.end(OK);
      else if (n % 3 === 1) s.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      else s.write(OK);
    });
    const r = await run(raw.url, { rateHz: 5, durationMs: 1200, connections: 1 });
    expect(outcomes(r)).toEqual({ completed: 6, errors: 0, timeouts: 0, abandoned: 0 });
    // Requests 0, 1, 3, 4 each ended their socket: 4 replacements.
    expect(raw.sockets.length).toBe(5);
  });

  it('a close in the middle of a response is an error; a body delimited by the close completes', async () => {
    const raw = await rawServer((s, n) => {
      if (n === 0) s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      else if (n === 1) s.destroy();
      else s.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
    });
    const r = await run(raw.url, { rateHz: 5, durationMs: 600, connections: 1 });
    expect(outcomes(r)).toEqual({ completed: 1, errors: 2, timeouts: 0, abandoned: 0 });
  });

  it('times out a request the server never answers, then serves the next on a new socket', async () => {
    const raw = await rawServer((s, n) => {
      if (n > 0) s.write(OK);
    });
    const r = await run(raw.url, { rateHz: 2, durationMs: 1000, connections: 1, timeoutMs: 300 });
    expect(outcomes(r)).toEqual({ completed: 1, errors: 0, timeouts: 1, abandoned: 0 });
    expect(raw.sockets.length).toBe(2);
  });

  it('drops a socket that gets bytes nobody asked for: before a request, or after the response', async () => {
    const raw = await rawServer(
      (s, n) => s.write(n === 0 ? `${OK}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok` : OK),
      (s, connection) => {
        if (connection === 0) s.write('HTTP/1.1 408 Request Timeout\r\n\r\n');
      },
    );
    const r = await run(raw.url, { rateHz: 5, durationMs: 400, connections: 1 });
    // Connection 0 is dropped before any request; connection 1 answers request 0 twice (completed,
    // then dropped); connection 2 answers request 1.
    expect(outcomes(r)).toEqual({ completed: 2, errors: 0, timeouts: 0, abandoned: 0 });
    expect(raw.sockets.length).toBe(3);
    expect(raw.requests).toBe(2);
  });

  it('ends requests as errors when the server cannot be reached, and still ends', async () => {
    const raw = await rawServer(() => {});
    await new Promise<void>((resolve) => raw.server.close(() => resolve()));
    const r = await run(raw.url, { rateHz: 50, durationMs: 100, connections: 2 });
    expect(r.requests).toBe(5);
    expect(outcomes(r)).toEqual({ completed: 0, errors: 5, timeouts: 0, abandoned: 0 });
  });

  it('abandons what is in flight and queued when the drain time runs out', async () => {
    const raw = await rawServer(() => {});
    const r = await run(raw.url, { rateHz: 50, durationMs: 100, connections: 2, drainMs: 50 });
    expect(outcomes(r)).toEqual({ completed: 0, errors: 0, timeouts: 0, abandoned: 5 });
    // Two were written (one per socket), three waited in the queue: 5 in flight when sends ended.
    expect(raw.requests).toBe(2);
    expect(r.drained).toBe(0);
  });
});

describe('native engine: schedule', () => {
  it('sends the same Poisson schedule as schedule.ts draws from the seed (per-second counts equal)', async () => {
    const raw = await rawServer((s) => s.write(OK));
    const rateHz = 400;
    const r = await run(raw.url, {
      rateHz,
      durationMs: 2000,
      warmupMs: 500,
      arrivals: 'poisson',
      seed: 42,
      connections: 4,
    });
    const offsets = dueOffsetsMs(rateHz, 2500, 'poisson', seededRandom(42));
    const perSecond = [-500, 0, 1000].map(
      (at) => offsets.filter((o) => o - 500 >= at && o - 500 < (at < 0 ? 0 : at + 1000)).length,
    );
    expect(r.intervals.map((i) => i.requests)).toEqual(perSecond);
    expect(r.requests).toBe(r.scheduled);
    expect(r.warmupRequests).toBe(perSecond[0]);
    expect(r.completed).toBe(r.requests);
  });

  it('a stop signal ends the window at that instant: nothing due after it is sent', async () => {
    const raw = await rawServer((s) => s.write(OK));
    const stop = new AbortController();
    const running = run(raw.url, { rateHz: 100, durationMs: 60_000, signal: stop.signal });
    // Stopped once the server has seen 50 requests: far fewer than the 6,000 scheduled.
    while (raw.requests < 50) await sleep(10);
    stop.abort('SIGTERM');
    const r = await running;
    expect(r.window.stopReason).toBe('SIGTERM');
    expect(r.requests).toBeLessThan(6000);
    expect(r.requests).toBe(raw.requests);
    expect(r.completed).toBe(r.requests);
    expect(r.window.endEpochMs - r.window.startEpochMs).toBeLessThan(60_000);
  });
});

describe('native engine: the bookkeeping never holds the schedule back', () => {
  it('a parent that stops reading for 2.5 s (more records than the pipe holds) loses nothing and delays no send', async () => {
    // The server in its own process: this one is about to stop for a while.
    const server = spawn(
      process.execPath,
      [
        '-e',
        "const s = require('node:http').createServer((q, r) => r.end('ok')); s.keepAliveTimeout = 60000; s.listen(0, '127.0.0.1', () => console.log(s.address().port));",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const port = await new Promise<string>((resolve) =>
        createInterface({ input: server.stdout as NodeJS.ReadableStream }).once('line', resolve),
      );
      const url = new URL(`http://127.0.0.1:${port}/`);
      const running = run(url, { rateHz: 10_000, durationMs: 3000, connections: 16 });
      await sleep(300);
      // 2.5 s x 10,000/s x 2 records of 32 bytes = 1.6 MB: more than the 1 MiB pipe holds.
      const until = Date.now() + 2500;
      while (Date.now() < until) {}
      const r = await running;
      expect(r.requests).toBe(30_000);
      expect(r.completed + r.errors + r.timeouts).toBe(r.requests);
      expect(r.latencyUs.count).toBe(r.completed);
      // A loop that waited for the pipe would have sent ~0.9 s late (until the parent read again).
      expect(r.maxLateMs).toBeLessThan(300);
    } finally {
      server.kill();
    }
  });
});

describe('native engine: scheduling', () => {
  /** This process's children running isobench-loadgen (comm is cut to 15 characters). */
  const loadgens = (): number[] =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
          return ppid === process.pid && stat.includes('(isobench-loadg');
        } catch {
          return false;
        }
      })
      .map(Number);

  it('asks for the shortest scheduler slice where the kernel has per-task slices (EEVDF, 6.12+)', async () => {
    const raw = await rawServer((s) => s.write(OK));
    const running = run(raw.url, { rateHz: 100, durationMs: 1500, connections: 1 });
    let sched = '';
    for (let i = 0; i < 100 && !sched; i++) {
      await sleep(10);
      const [pid] = loadgens();
      if (pid) sched = readFileSync(`/proc/${pid}/sched`, 'utf8');
    }
    const r = await running;
    expect(r.completed).toBe(150);
    expect(sched, 'the generator process was never seen').not.toBe('');
    expect(/^policy\s+:\s+(\d+)/m.exec(sched)?.[1]).toBe('0'); // still SCHED_OTHER
    const slice = /^se\.slice\s+:\s+(\d+)/m.exec(sched)?.[1];
    // Kernels without per-task slices show none (or their default): the request is then ignored.
    const [major = 0, minor = 0] = release().split('.').map(Number);
    if (major > 6 || (major === 6 && minor >= 12)) expect(slice).toBe('100000');
  });
});

describe('native engine: the standby thread', () => {
  /** 1000/s for 0.4 s; the sending loop stops for 60 ms once request 100 is sent (loadgen.c's test hook). */
  const stalled = async (standby: Standby) => {
    const raw = await rawServer((s) => s.write(OK));
    process.env.ISOBENCH_LOADGEN_STALL = '100:60';
    try {
      return await run(raw.url, { rateHz: 1000, durationMs: 400, connections: 16, standby });
    } finally {
      delete process.env.ISOBENCH_LOADGEN_STALL;
    }
  };

  itWhen(availableParallelism() < 2 ? 'one CPU: the standby needs a second one' : null)(
    'sends on schedule what a stopped sending loop did not, and takes the responses meanwhile',
    async () => {
      const off = await stalled('off');
      const on = await stalled('on');
      expect(off.standbySends).toBeNull();
      expect(on.standbySends).not.toBeNull();
      // About 59 requests fall due while the loop is stopped: alone, it sends each of them late.
      expect(off.late).toBeGreaterThanOrEqual(50);
      expect(off.maxLateMs).toBeGreaterThanOrEqual(50);
      // With the standby, they are sent by it, 0.4 ms late (its grace) plus its wake-up. The host's
      // own stalls (steal) may make a few sends of either run late: the comparison leaves them room.
      expect(on.standbySends).toBeGreaterThanOrEqual(50);
      expect(on.late).toBeLessThan(off.late);
      for (const r of [off, on]) {
        expect(r.requests).toBe(400);
        expect(outcomes(r)).toEqual({ completed: 400, errors: 0, timeouts: 0, abandoned: 0 });
      }
    },
  );

  it("'off', or 'on' with a single CPU allowed, runs no standby (standbySends null, no STANDBY record)", async () => {
    const raw = await rawServer((s) => s.write(OK));
    const r = await run(raw.url, { rateHz: 100, durationMs: 200, standby: 'off' });
    expect(r.standbySends).toBeNull();
    expect(r.completed).toBe(20);
    // One CPU allowed (taskset): 'on' cannot place a second thread elsewhere, so none runs.
    const one = spawnSync(
      'taskset',
      [
        '-c',
        '0',
        loadgenBinary(),
        '127.0.0.1',
        String(raw.url.port),
        '/',
        'x',
        '1',
        '1000',
        '100',
        '0',
        '100',
        'uniform',
        '1',
        '100',
        'on',
      ],
      { input: '', encoding: 'latin1' },
    );
    expect(one.status).toBe(0);
    // Its records before READY: no STANDBY record (kind 6) precedes it.
    expect(one.stdout.charCodeAt(0)).toBe(1);
  });

  it('refuses a standby mode it does not know (exit 2 with the reason)', () => {
    const r = spawnSync(
      loadgenBinary(),
      ['127.0.0.1', '1', '/', 'x', '1', '1000', '100', '0', '100', 'uniform', '1', '100', 'sometimes'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad standby: sometimes/);
  });
});

describe('native engine: the timer floor (bench:load peer)', () => {
  it('--timer-floor waits out every due instant of its schedule and counts the late ones', () => {
    // 200/s for 400 ms: 80 due instants, each waited for (the spin lead is used at this rate).
    const out = JSON.parse(
      execFileSync(loadgenBinary(), ['--timer-floor', '200', '400'], { encoding: 'utf8' }),
    );
    expect(out.due).toBe(80);
    expect(out.late).toBeGreaterThanOrEqual(0);
    expect(out.late).toBeLessThanOrEqual(80);
    // No due instant is reached early: the lateness is measured from it, never negative.
    expect(out.maxLateMs).toBeGreaterThanOrEqual(0);
    expect(out.cpuUs).toBeGreaterThan(0);
  });

  it('ends with its parent: a bench killed mid-step leaves no floor running', async () => {
    // A parent that starts a 60 s floor, says its pid, and is then SIGKILLed.
    const script = `const c = require('node:child_process').spawn(${JSON.stringify(loadgenBinary())}, ['--timer-floor', '100', '60000'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const rl = createInterface({ input: parent.stdout as NodeJS.ReadableStream });
    const floorPid = Number(await new Promise<string>((resolve) => rl.once('line', resolve)));
    expect(floorPid).toBeGreaterThan(0);
    const alive = (pid: number) => {
      try {
        return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z');
      } catch {
        return false;
      }
    };
    expect(alive(floorPid)).toBe(true);
    parent.kill('SIGKILL');
    let gone = false;
    for (let i = 0; i < 200 && !gone; i++) {
      gone = !alive(floorPid);
      if (!gone) await sleep(25);
    }
    expect(gone).toBe(true);
  });

  it('refuses a rate or a duration that is not positive (exit 2 with the reason)', () => {
    const r = spawnSync(loadgenBinary(), ['--timer-floor', '0', '400'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--timer-floor: bad rate or duration');
  });
});
