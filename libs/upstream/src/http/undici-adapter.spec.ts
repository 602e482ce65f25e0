import axios, { type AxiosInstance } from 'axios';
import { createServer, type Server, type Socket } from 'node:net';
import { transportFailure } from './transport-failure';
import { KEEP_ALIVE_TIMEOUT_MS } from '@app/http-server';
import { IDLE_SOCKET_TIMEOUT_MS, UndiciTransport } from './undici-adapter';

type Behaviour = (socket: Socket) => void;

const HTTP_OK =
  'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n{"ok":42}';

/** Real loopback servers that fail the way replicas do, to see what the transport reports. */
const behaviours: Record<string, Behaviour> = {
  answers: (socket) => socket.once('data', () => socket.end(HTTP_OK)),
  resetsUnread: (socket) => {
    socket.pause();
    setTimeout(() => socket.resetAndDestroy(), 20);
  },
  closesAfterReading: (socket) => socket.once('data', () => socket.end()),
  hangs: () => undefined,
};

describe('UndiciTransport (axios adapter)', () => {
  const servers: Server[] = [];
  const ports: Record<string, number> = {};
  const transport = new UndiciTransport(500);
  let client: AxiosInstance;

  beforeAll(async () => {
    for (const [name, behaviour] of Object.entries(behaviours)) {
      const server = createServer((socket) => {
        socket.on('error', () => undefined);
        behaviour(socket);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      ports[name] = (server.address() as { port: number }).port;
    }
    client = axios.create({ adapter: transport.adapter, validateStatus: () => true });
  });
  afterAll(async () => {
    await transport.close();
    for (const server of servers) server.close();
  });

  const post = (name: string, timeout = 2000) =>
    client.post(`http://127.0.0.1:${ports[name]}/create`, { title: 'x' }, { timeout });
  const failureOf = async (request: Promise<unknown>) => {
    const err = await request.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeDefined();
    return transportFailure('webapp-1', err);
  };

  it('returns the status and the JSON body parsed by axios', async () => {
    const response = await post('answers');
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ ok: 42 });
  });

  it('a refused connection is a connect failure: retryable', async () => {
    const failure = await failureOf(client.post('http://127.0.0.1:1/create', {}));
    expect(failure).toMatchObject({ retryable: true, endpoint: 'connect' });
  });

  it('a reset with the request unread is retryable', async () => {
    expect(await failureOf(post('resetsUnread'))).toMatchObject({ retryable: true });
  });

  it('a close after the request was read is not retried (502: it may have been processed)', async () => {
    const failure = await failureOf(post('closesAfterReading'));
    expect(failure.retryable).toBe(false);
    expect(failure.exception.getStatus()).toBe(502);
  });

  it('no answer within the timeout is a 504, not retried', async () => {
    const failure = await failureOf(post('hangs', 200));
    expect(failure.retryable).toBe(false);
    expect(failure.exception.getStatus()).toBe(504);
  });
});

test("the pool gives up an idle socket before the stack's servers do (never reuses one being closed)", () => {
  expect(IDLE_SOCKET_TIMEOUT_MS).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS);
});
