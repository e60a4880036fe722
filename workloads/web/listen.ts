import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errnoOf, HostError, quote } from '../../harness/errors.js';

/** Why listen(2) refused, in the user's terms (errno names as Node's net module reports them). */
const REASONS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use; choose another --port, or --port 0 for a free one',
  EACCES: 'permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE',
  EADDRNOTAVAIL: 'the host is not an address of this machine (or of this network namespace)',
  ENOTFOUND: 'the host is neither an IP address nor a name that resolves',
};

/**
 * Listens on HOST:PORT and returns the bound address. A refusal is the host's state, not a bug:
 * it becomes one HostError naming the address (exit 2) instead of an uncaught 'error' event.
 */
export async function listenOn(
  server: Server,
  port: number,
  host: string,
  what: string,
): Promise<AddressInfo> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const errno = errnoOf(err) ?? 'unknown error';
    const reason = REASONS[errno] ?? (err as Error).message;
    throw new HostError(
      errno === 'EADDRINUSE' ? 'ISOBENCH_PORT_IN_USE' : 'ISOBENCH_LISTEN',
      `${what}: cannot listen on --host ${quote(host)} --port ${port} (${errno}): ${reason}`,
      { cause: err },
    );
  }
  return server.address() as AddressInfo;
}
