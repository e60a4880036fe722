/**
 * The generator's HTTP/1.1 client: up to `connections` keep-alive sockets, one request in flight
 * per socket, requests that find every socket busy wait in a FIFO queue (and that wait counts in
 * the corrected latency, the caller's business).
 *
 * Why not undici's Pool (which the generator used before): at the rates where its latency matters
 * its per-request CPU and garbage were most of the generator's cost (figures in
 * workloads/README.md, "Benchmark"). Here a request is the same pre-encoded bytes written to an
 * idle socket, responses are read into one reused buffer (net's `onread`: no Buffer per read) and
 * parsed without allocating (http-response.ts), and outcomes are plain callbacks, no promises.
 *
 * Semantics kept from the undici setup:
 * - sockets are opened before the first request (preconnect), with TCP_NODELAY and keep-alive;
 * - a socket the server closed is replaced (at once if it had answered something or requests are
 *   waiting, otherwise when the next request needs it), so handshakes stay out of bursts;
 * - a request times out after `timeoutMs` without progress once written (no byte received: like
 *   undici's headers and body timeouts), and a connection attempt after `timeoutMs`;
 * - non-2xx/3xx statuses, protocol errors, resets and closes are `error`s, apart from timeouts;
 * - destroy() ends everything in flight or queued as `abandoned`.
 * Idle sockets are taken in FIFO order, so at low rates every socket is used in turn and none
 * idles into the server's keep-alive timeout.
 */
import { connect, type Socket } from 'node:net';
import { DONE_EXTRA, NEED_MORE, PROTOCOL_ERROR, ResponseParser } from './http-response.js';
import type { Outcome } from './intervals.js';

export interface PoolEvents<T> {
  /**
   * The request ended. `writtenMs`: when it was written to a socket (after any wait in the queue;
   * NaN if it never was); `doneMs`: when the response ended or the request failed.
   */
  done(token: T, outcome: Outcome, writtenMs: number, doneMs: number): void;
}

export interface PoolOptions {
  url: URL;
  connections: number;
  timeoutMs: number;
}

/** One read of up to this many bytes; a longer response takes several reads. */
const READ_BUFFER_BYTES = 64 * 1024;

interface Conn<T> {
  socket: Socket;
  parser: ResponseParser;
  connected: boolean;
  /** Out of the pool: its socket is (being) destroyed and it takes no more requests. */
  retired: boolean;
  busy: boolean;
  token: T | undefined;
  writtenMs: number;
  /** Responses completed on this socket. */
  served: number;
}

/** A FIFO over an array; shift() is O(1) and the array is compacted now and then. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

export class KeepAlivePool<T> {
  private readonly conns = new Set<Conn<T>>();
  private readonly idle = new Fifo<Conn<T>>();
  private readonly queue = new Fifo<T>();
  private readonly requestBytes: Buffer;
  private readonly host: string;
  private readonly port: number;
  /** Shared by every socket: each read is parsed before the next one can land in it. */
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private destroyed = false;

  constructor(
    private readonly options: PoolOptions,
    private readonly events: PoolEvents<T>,
  ) {
    const { url } = options;
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = Number(url.port || 80);
    this.requestBytes = Buffer.from(
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n\r\n`,
      'latin1',
    );
  }

  /** Opens every socket; resolves once each has connected or failed (failures are left to requests). */
  async preconnect(): Promise<number> {
    const opening: Promise<void>[] = [];
    while (this.conns.size < this.options.connections) {
      const { socket } = this.openConn();
      opening.push(new Promise((resolve) => socket.once('connect', resolve).once('close', resolve)));
    }
    await Promise.all(opening);
    return this.open();
  }

  /** Sockets connected and in the pool now. */
  open(): number {
    let n = 0;
    for (const c of this.conns) if (c.connected) n++;
    return n;
  }

  /** Writes the request on an idle socket, or queues it until one is free. */
  request(token: T): void {
    if (this.destroyed) {
      this.events.done(token, 'abandoned', Number.NaN, performance.now());
      return;
    }
    for (let c = this.idle.shift(); c; c = this.idle.shift()) {
      if (!c.retired) {
        this.dispatch(c, token);
        return;
      }
    }
    this.queue.push(token);
    if (this.conns.size < this.options.connections) this.openConn();
  }

  /** Closes every socket; what is in flight or queued ends as `abandoned`. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const c of [...this.conns]) this.retire(c, 'abandoned');
    const now = performance.now();
    for (const token of this.queue.drain()) this.events.done(token, 'abandoned', Number.NaN, now);
  }

  private openConn(): Conn<T> {
    const socket = connect({
      host: this.host,
      port: this.port,
      // Requests are small: no Nagle delay. Same socket options as undici's connector.
      noDelay: true,
      keepAlive: true,
      keepAliveInitialDelay: 60_000,
      onread: { buffer: this.readBuffer, callback: (n) => this.onRead(conn, n) },
    });
    const conn: Conn<T> = {
      socket,
      parser: new ResponseParser(),
      connected: false,
      retired: false,
      busy: false,
      token: undefined,
      writtenMs: 0,
      served: 0,
    };
    this.conns.add(conn);
    // Inactivity while connecting or while a request waits for bytes (reads and writes re-arm it).
    socket.setTimeout(this.options.timeoutMs);
    socket.on('timeout', () => {
      if (conn.busy || !conn.connected) this.retire(conn, 'timeout');
    });
    socket.once('connect', () => {
      conn.connected = true;
      if (!conn.retired) this.release(conn);
    });
    // Always handled, also on idle sockets: 'close' follows and does the bookkeeping.
    socket.on('error', () => {});
    // The server's FIN already takes the socket out of the pool: a request written between it and
    // 'close' would fail. A body delimited by the close is complete then.
    const gone = () => {
      if (conn.busy && conn.parser.endsAtClose) this.complete(conn);
      this.retire(conn, 'error');
    };
    socket.once('end', gone);
    socket.once('close', gone);
    return conn;
  }

  private dispatch(conn: Conn<T>, token: T): void {
    conn.busy = true;
    conn.token = token;
    conn.parser.reset();
    conn.writtenMs = performance.now();
    conn.socket.write(this.requestBytes);
  }

  /** `conn` is free: it takes the oldest queued request, or waits in the idle FIFO. */
  private release(conn: Conn<T>): void {
    if (this.queue.length > 0) this.dispatch(conn, this.queue.shift() as T);
    else this.idle.push(conn);
  }

  private onRead(conn: Conn<T>, bytes: number): boolean {
    if (conn.retired) return true;
    // Bytes on a socket with no request in flight answer nothing we asked: the socket is dropped.
    if (!conn.busy) {
      this.retire(conn, 'error');
      return true;
    }
    const r = conn.parser.feed(this.readBuffer, 0, bytes);
    if (r === NEED_MORE) return true;
    if (r === PROTOCOL_ERROR) {
      this.retire(conn, 'error');
      return true;
    }
    this.complete(conn);
    if (r === DONE_EXTRA || !conn.parser.keepAlive) this.retire(conn, 'error');
    else this.release(conn);
    return true;
  }

  private complete(conn: Conn<T>): void {
    const { status } = conn.parser;
    const token = conn.token as T;
    conn.busy = false;
    conn.token = undefined;
    conn.served++;
    this.events.done(
      token,
      status >= 200 && status < 400 ? 'completed' : 'error',
      conn.writtenMs,
      performance.now(),
    );
  }

  /** Takes `conn` out of the pool; a request in flight on it ends with `outcome`. */
  private retire(conn: Conn<T>, outcome: Outcome): void {
    if (conn.retired) return;
    conn.retired = true;
    this.conns.delete(conn);
    conn.socket.destroy();
    const now = performance.now();
    if (conn.busy) {
      conn.busy = false;
      this.events.done(conn.token as T, outcome, conn.writtenMs, now);
      conn.token = undefined;
    }
    if (this.destroyed) return;
    if (!conn.connected) {
      // The server cannot be reached: with no other socket left, the queue would wait forever.
      if (this.conns.size === 0)
        for (const token of this.queue.drain()) this.events.done(token, outcome, Number.NaN, now);
      return;
    }
    if (conn.served > 0 || this.queue.length > 0) this.openConn();
  }
}
