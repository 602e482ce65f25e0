import { KEEP_ALIVE_TIMEOUT_MS } from '@app/http-server';
import { Agent, type ClientRequestArgs } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** The error code of a connection that was not established within the connect timeout. */
export const CONNECT_TIMEOUT = 'ECONNECTTIMEOUT';

/**
 * Idle pooled sockets are closed well before the upstream's keep-alive timeout (our servers keep
 * idle connections 65 s), so the gateway never sends a request on a socket the server is closing.
 */
export const IDLE_SOCKET_TIMEOUT_MS = KEEP_ALIVE_TIMEOUT_MS / 2;

/**
 * The keep-alive pool to one upstream's endpoints (one pool per address:port, as requests go to
 * endpoint addresses), with what Node's Agent lacks: a connect timeout. A replica that does not
 * accept within it is reported as a connect failure, which is safe to retry elsewhere.
 */
export class UpstreamAgent extends Agent {
  constructor(private readonly connectTimeoutMs: number) {
    super({
      keepAlive: true,
      maxSockets: 256,
      timeout: IDLE_SOCKET_TIMEOUT_MS,
      // LIFO reuse keeps a few sockets hot and lets the rest idle out.
      scheduling: 'lifo',
    });
  }

  override createConnection(
    options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const socket = super.createConnection(options, callback) as Socket;
    if (!socket.connecting) return socket;
    const timer = setTimeout(() => {
      const error: NodeJS.ErrnoException = new Error(
        `connect timeout after ${this.connectTimeoutMs} ms`,
      );
      error.code = CONNECT_TIMEOUT;
      error.syscall = 'connect';
      socket.destroy(error);
    }, this.connectTimeoutMs);
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  }
}
