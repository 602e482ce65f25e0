import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP upstream that answers every request with the headers it received (JSON, as Node parsed
 * them: names lower case, lines of one header joined by `, `), its own `server` and `vary`
 * headers, and counts requests: what the gateway sent upstream, seen from the upstream's side.
 */
export interface HeaderEcho {
  readonly url: string;
  /** Requests received so far. */
  readonly received: number;
  close(): Promise<void>;
}

export async function startHeaderEcho(): Promise<HeaderEcho> {
  let received = 0;
  const server = createServer((request, response) => {
    received++;
    request.resume();
    request.on('end', () => {
      const headers: IncomingHttpHeaders = request.headers;
      response.writeHead(200, {
        'content-type': 'application/json',
        server: 'header-echo',
        vary: 'accept',
      });
      response.end(JSON.stringify({ path: request.url, headers }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get received() {
      return received;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
