/**
 * Raw TCP servers that speak just enough HTTP/1.1 to misbehave on purpose, for the tests of both
 * generator engines' HTTP handling (http-pool.test.ts, native.test.ts).
 */
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { afterEach } from 'vitest';

export const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

export interface Raw {
  url: URL;
  server: Server;
  /** Connections accepted, in order. */
  sockets: Socket[];
  requests: number;
}

/** `answer(socket, n, k)`: request n overall, the k-th on this socket (both from 0). */
export type Answer = (socket: Socket, n: number, k: number, connection: number) => void;

export const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

export async function rawServer(
  answer: Answer,
  onConnect?: (socket: Socket, connection: number) => void,
): Promise<Raw> {
  const raw = { sockets: [] as Socket[], requests: 0 } as Raw;
  raw.server = createServer((socket) => {
    const connection = raw.sockets.push(socket) - 1;
    socket.on('error', () => {});
    onConnect?.(socket, connection);
    let pending = '';
    let k = 0;
    socket.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      for (let at = pending.indexOf('\r\n\r\n'); at >= 0; at = pending.indexOf('\r\n\r\n')) {
        pending = pending.slice(at + 4);
        answer(socket, raw.requests++, k++, connection);
      }
    });
  });
  await new Promise<void>((resolve) => raw.server.listen(0, '127.0.0.1', resolve));
  raw.url = new URL(`http://127.0.0.1:${(raw.server.address() as AddressInfo).port}/x?y=1`);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of raw.sockets) s.destroy();
        raw.server.close(() => resolve());
      }),
  );
  return raw;
}
