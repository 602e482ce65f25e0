import { connect, type Socket } from 'node:net';

/** One slow client's connection as the test saw it. */
export interface SlowConnection {
  socket: Socket;
  openedAt: number;
  /** Epoch ms when the gateway closed it (undefined while open). */
  closedAt?: number;
  /** Whatever the gateway answered before closing (e.g. a 408). */
  received: string;
}

/**
 * `count` connections that each start a request and then trickle it: `headers` sends one header
 * line per tick and never ends the headers (slowloris); `body` sends complete headers announcing a
 * body and then one byte of it per tick (slow POST). Every tick writes to every open connection.
 * `stop()` destroys what is still open, so the test always ends.
 */
export function slowClients(
  host: string,
  port: number,
  count: number,
  kind: 'headers' | 'body',
  tickMs = 500,
): { connections: SlowConnection[]; stop: () => void } {
  const connections: SlowConnection[] = [];
  for (let i = 0; i < count; i++) {
    const socket = connect({ host, port });
    const connection: SlowConnection = { socket, openedAt: Date.now(), received: '' };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (connection.received += chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => (connection.closedAt ??= Date.now()));
    socket.on('connect', () => {
      socket.write(
        `POST /projects/ HTTP/1.1\r\nHost: ${host}\r\ncontent-type: application/json\r\n`,
      );
      if (kind === 'body') socket.write('content-length: 1000\r\n\r\n{"title":"');
    });
    connections.push(connection);
  }
  const timer = setInterval(() => {
    for (const c of connections)
      if (c.closedAt === undefined && !c.socket.connecting)
        c.socket.write(kind === 'headers' ? `x-slow-${Date.now()}: 1\r\n` : 'a');
  }, tickMs);
  return {
    connections,
    stop: () => {
      clearInterval(timer);
      for (const c of connections) c.socket.destroy();
    },
  };
}
