import { createServer, type Server as HttpServer } from 'node:http';
import { connect as connectHttp2 } from 'node:http2';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { acceptH2c, type H2cListener } from './h2c-listener';

describe('acceptH2c', () => {
  let server: HttpServer;
  let h2c: H2cListener;
  let port: number;

  beforeEach(async () => {
    server = createServer((_request, response) => response.end('http/1.1'));
    server.headersTimeout = 300;
    h2c = acceptH2c(server, (stream) => {
      stream.respond({ ':status': 200 });
      stream.end('h2');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    h2c.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** What the server sends back on a raw connection given `writes`, one per tick, until it closes. */
  function exchange(writes: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket: Socket = connect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      socket.on('connect', async () => {
        for (const write of writes) {
          socket.write(write);
          await new Promise((r) => setImmediate(r));
        }
      });
    });
  }

  it('takes an HTTP/1.1 request whose first bytes come one by one', async () => {
    const answer = await exchange([
      'G',
      'E',
      'T / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    ]);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toMatch(/http\/1\.1$/);
  });

  it('takes HTTP/2 with prior knowledge, the preface included, as an HTTP/2 session', async () => {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    const body = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':path': '/' });
      let text = '';
      stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
      stream.on('end', () => resolve(text));
      stream.on('error', reject);
      stream.end();
    });
    session.close();
    expect(body).toBe('h2');
  });

  it('drops a connection that sends part of the preface and stops, as one whose headers do not come', async () => {
    // Closed by the server (the promise resolves on 'close'); nothing is answered.
    expect(await exchange(['PRI * HTTP/2.0\r\n'])).toBe('');
  });
});
