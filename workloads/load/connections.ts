/**
 * Connections opened before the first request, so neither Node's start-up nor TCP handshakes land
 * in the schedule: undici's Pool creates a client (and connects it) only when every existing one
 * is busy, i.e. in the middle of a burst, which is exactly when a handshake hurts most. Its
 * `connect` hook hands each new client one of these sockets and falls back to undici's own
 * connector once they are used up or were closed by the server (idle keep-alive timeout).
 */

import { createRequire } from 'node:module';
import { connect, type Socket } from 'node:net';
import type { buildConnector as BuildConnector } from 'undici';

/** Only undici's connector, not its whole index (see the note on Pool in run.ts). */
const buildConnector = createRequire(import.meta.url)('undici/lib/core/connect.js') as typeof BuildConnector;

export interface Preconnected {
  /** Sockets connected and still open now. */
  open(): number;
  connector: BuildConnector.connector;
  destroy(): void;
}

/** Opens up to `count` sockets to `url`'s host; failures are left to the requests to report. */
export async function preconnect(url: URL, count: number, timeoutMs: number): Promise<Preconnected> {
  const port = Number(url.port || 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const fallback = buildConnector({ timeout: timeoutMs });
  const opened = await Promise.all(Array.from({ length: count }, () => openOne(host, port, timeoutMs)));
  const idle = opened.filter((s): s is Socket => s !== null);
  const usable = (s: Socket) => !s.destroyed && s.readyState === 'open';
  return {
    open: () => idle.filter(usable).length,
    connector(options, callback) {
      for (let s = idle.pop(); s; s = idle.pop()) {
        if (usable(s)) {
          // Asynchronously, like undici's own connector: called back synchronously, undici's
          // resume() is still running and the queued request is never written.
          const socket = s;
          process.nextTick(() => callback(null, socket));
          return;
        }
        s.destroy();
      }
      fallback(options, callback);
    },
    destroy() {
      for (const s of idle.splice(0)) s.destroy();
    },
  };
}

function openOne(host: string, port: number, timeoutMs: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    // Same socket options as undici's connector: requests are small, so no Nagle delay.
    const socket = connect({ host, port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 });
    const timer = setTimeout(() => done(null), timeoutMs);
    const done = (s: Socket | null) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      if (!s) socket.destroy();
      resolve(s);
    };
    const onConnect = () => done(socket);
    socket.once('connect', onConnect);
    // Stays attached: an idle socket reset by the server must not become an uncaught 'error'.
    socket.on('error', () => done(null));
  });
}
