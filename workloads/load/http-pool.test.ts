/**
 * The generator's HTTP client against raw TCP servers that misbehave on purpose: every test
 * asserts on outcome counts and on the connections the server saw, never on elapsed time.
 */
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../test/helpers.js';
import { cleanups, OK, rawServer } from '../test/raw-http.js';
import { KeepAlivePool } from './http-pool.js';
import type { Outcome } from './intervals.js';

/** A pool whose outcomes are collected by token. */
function pool(url: URL, connections: number, timeoutMs = 10_000) {
  const outcomes = new Map<number, Outcome>();
  const written: number[] = [];
  const p = new KeepAlivePool<number>(
    { url, connections, timeoutMs },
    {
      done(token, outcome, writtenMs) {
        expect(outcomes.has(token)).toBe(false);
        outcomes.set(token, outcome);
        if (Number.isFinite(writtenMs)) written.push(token);
      },
    },
  );
  cleanups.push(() => p.destroy());
  const count = (o: Outcome) => [...outcomes.values()].filter((v) => v === o).length;
  const settle = async (n: number) => {
    expect(await waitFor(() => outcomes.size >= n, 20_000)).toBe(true);
    return {
      completed: count('completed'),
      error: count('error'),
      timeout: count('timeout'),
      abandoned: count('abandoned'),
    };
  };
  return { p, outcomes, written, settle };
}

describe('KeepAlivePool', () => {
  it('one request per socket, the rest queued in order: 30 requests over 3 preconnected sockets', async () => {
    const raw = await rawServer((s) => s.write(OK));
    const { p, written, settle } = pool(raw.url, 3);
    expect(await p.preconnect()).toBe(3);
    for (let i = 0; i < 30; i++) p.request(i);
    expect(await settle(30)).toEqual({ completed: 30, error: 0, timeout: 0, abandoned: 0 });
    expect(raw.sockets.length).toBe(3);
    expect(raw.requests).toBe(30);
    // The first three went out at once, the rest as sockets came free, oldest first.
    expect(written).toHaveLength(30);
    expect([...written].sort((a, b) => a - b)).toEqual(written.map((_, i) => i));
  });

  it('sends the path, query and host once per request', async () => {
    let head = '';
    const raw = await rawServer((s) => s.write(OK));
    raw.server.prependListener('connection', (s: Socket) =>
      s.on('data', (d: Buffer) => (head += d.toString())),
    );
    const { p, settle } = pool(raw.url, 1);
    p.request(0);
    await settle(1);
    expect(head).toBe(`GET /x?y=1 HTTP/1.1\r\nhost: ${raw.url.host}\r\n\r\n`);
  });

  it('counts non-2xx/3xx statuses as errors and 3xx as completed', async () => {
    const statuses = [200, 302, 404, 500, 503, 204];
    const raw = await rawServer((s, n) =>
      s.write(`HTTP/1.1 ${statuses[n % statuses.length]} X\r\nContent-Length: 0\r\n\r\n`),
    );
    const { p, settle } = pool(raw.url, 2);
    for (let i = 0; i < 12; i++) p.request(i);
    expect(await settle(12)).toEqual({ completed: 6, error: 6, timeout: 0, abandoned: 0 });
    // Errors with a well-formed response keep the socket.
    expect(raw.sockets.length).toBeLessThanOrEqual(2);
  });

  it('carries a response across TCP reads (head and body written in pieces, chunked too)', async () => {
    const pieces = [
      ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 5\r\n\r', '\nhel', 'lo'],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r', '\nabc\r\n0\r\n', '\r\n'],
    ];
    const raw = await rawServer(async (s, n) => {
      for (const piece of pieces[n % 2] ?? []) {
        s.write(piece);
        // Separate segments (the server socket has Nagle off), read separately by the client.
        await sleep(20);
      }
    });
    raw.server.on('connection', (s: Socket) => s.setNoDelay(true));
    const { p, settle } = pool(raw.url, 1);
    for (let i = 0; i < 4; i++) p.request(i);
    expect(await settle(4)).toEqual({ completed: 4, error: 0, timeout: 0, abandoned: 0 });
    expect(raw.sockets.length).toBe(1);
  });

  it('replaces a socket the server closed: after a response, with Connection: close, or while idle', async () => {
    const raw = await rawServer((s, n) => {
      if (n % 3 === 0) s.end(OK);
      else if (n % 3 === 1) s.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      else s.write(OK);
    });
    const { p, settle } = pool(raw.url, 1);
    expect(await p.preconnect()).toBe(1);
    // One at a time: a request written before the server's FIN arrives would fail (the race every
    // keep-alive client has; the server here closes without saying so).
    for (let i = 0; i < 6; i++) {
      p.request(i);
      await settle(i + 1);
    }
    expect(await settle(6)).toEqual({ completed: 6, error: 0, timeout: 0, abandoned: 0 });
    // Requests 0, 1, 3, 4 each ended their socket: 4 replacements.
    expect(raw.sockets.length).toBe(5);
    // An idle socket closed by the server (its keep-alive timeout) is replaced too.
    raw.sockets.at(-1)?.destroy();
    expect(await waitFor(() => raw.sockets.length === 6 && p.open() === 1, 20_000)).toBe(true);
    p.request(6);
    expect((await settle(7)).completed).toBe(7);
  });

  it('a close in the middle of a response is an error; a body delimited by the close completes', async () => {
    const raw = await rawServer((s, n) => {
      if (n === 0) s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      else if (n === 1) s.destroy();
      else s.end('HTTP/1.1 200 OK\r\n\r\nuntil the end');
    });
    const { p, settle } = pool(raw.url, 1);
    p.request(0);
    expect(await settle(1)).toMatchObject({ error: 1 });
    p.request(1);
    expect(await settle(2)).toMatchObject({ error: 2 });
    p.request(2);
    expect(await settle(3)).toEqual({ completed: 1, error: 2, timeout: 0, abandoned: 0 });
  });

  it('times out a request the server never answers, then serves the next on a new socket', async () => {
    const raw = await rawServer((s, n) => {
      if (n > 0) s.write(OK);
    });
    const { p, settle } = pool(raw.url, 1, 300);
    p.request(0);
    expect(await settle(1)).toEqual({ completed: 0, error: 0, timeout: 1, abandoned: 0 });
    p.request(1);
    expect(await settle(2)).toEqual({ completed: 1, error: 0, timeout: 1, abandoned: 0 });
    expect(raw.sockets.length).toBe(2);
  });

  it('drops a socket that gets bytes nobody asked for: before a request, or after the response', async () => {
    const raw = await rawServer(
      (s, n) => s.write(n === 0 ? `${OK}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok` : OK),
      (s, connection) => {
        if (connection === 0) s.write('HTTP/1.1 408 Request Timeout\r\n\r\n');
      },
    );
    const { p, settle } = pool(raw.url, 1);
    expect(await p.preconnect()).toBe(1);
    // Connection 0's early bytes make the pool drop it before any request is sent on it.
    expect(await waitFor(() => p.open() === 0, 20_000)).toBe(true);
    p.request(0);
    // Connection 1 answers request 0 twice (a pipelined extra response): completed, socket dropped.
    expect(await settle(1)).toEqual({ completed: 1, error: 0, timeout: 0, abandoned: 0 });
    p.request(1);
    expect(await settle(2)).toEqual({ completed: 2, error: 0, timeout: 0, abandoned: 0 });
    expect(raw.sockets.length).toBe(3);
    expect(raw.requests).toBe(2);
  });

  it('ends queued requests as errors when the server cannot be reached', async () => {
    const raw = await rawServer(() => {});
    await new Promise<void>((resolve) => raw.server.close(() => resolve()));
    const { p, settle } = pool(raw.url, 2);
    expect(await p.preconnect()).toBe(0);
    for (let i = 0; i < 5; i++) p.request(i);
    expect(await settle(5)).toEqual({ completed: 0, error: 5, timeout: 0, abandoned: 0 });
  });

  it('destroy() abandons what is in flight and what is queued', async () => {
    const raw = await rawServer(() => {});
    const { p, written, settle } = pool(raw.url, 2);
    await p.preconnect();
    for (let i = 0; i < 5; i++) p.request(i);
    expect(await waitFor(() => raw.requests === 2, 20_000)).toBe(true);
    p.destroy();
    expect(await settle(5)).toEqual({ completed: 0, error: 0, timeout: 0, abandoned: 5 });
    // Only the two on the wire had been written.
    expect(written.sort()).toEqual([0, 1]);
    p.request(5);
    expect((await settle(6)).abandoned).toBe(6);
  });
});
