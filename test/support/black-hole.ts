import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP listener that accepts connections and never answers: what an upstream that hangs looks
 * like on the wire. Used to prove timeouts, not to stand in for an app.
 */
export async function startBlackHole(
  host: string,
  port: number,
): Promise<{ close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
