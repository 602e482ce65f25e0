import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
  type StatusObject,
  status,
} from '@grpc/grpc-js';
import type { Route } from '@app/routes';
import { createServer, request, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compileTable } from './compiled-table';
import { testRoute, testUpstream } from './compiled-table.fixture';
import { GrpcPassThrough } from './grpc-pass-through';
import { acceptH2c, type H2cListener } from './h2c-listener';
import { applicationProtocol, terminateTls } from './tls-termination';
import { CERTIFICATE_PEM, PRIVATE_KEY_PEM } from '../../gateway-api/src/tls.fixture';

// Messages are raw bytes both ways: the gateway passes them through without knowing the .proto.
const bytes = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
const method = (path: string, responseStream = false) => ({
  path,
  requestStream: false,
  responseStream,
  requestSerialize: bytes.serialize,
  requestDeserialize: bytes.deserialize,
  responseSerialize: bytes.serialize,
  responseDeserialize: bytes.deserialize,
});
const ECHO: ServiceDefinition = {
  Say: method('/test.Echo/Say'),
  Fail: method('/test.Echo/Fail'),
  Count: method('/test.Echo/Count', true),
};

/** A replica: answers `<name>:<request>`, with its name in the trailers, as a real server. */
async function replica(name: string): Promise<{ server: Server; port: number }> {
  const server = new Server();
  server.addService(ECHO, {
    Say: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
      const trailers = new Metadata();
      trailers.set('replica', name);
      trailers.set('echoed-header', String(call.metadata.get('x-test')[0] ?? ''));
      trailers.set('added', String(call.metadata.get('x-added')[0] ?? ''));
      callback(null, Buffer.from(`${name}:${call.request.toString()}`), trailers);
    },
    Fail: (_call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) =>
      callback({ code: status.FAILED_PRECONDITION, details: `refused by ${name}` }),
    Count: (call: ServerWritableStream<Buffer, Buffer>) => {
      for (let i = 0; i < 3; i++) call.write(Buffer.from(`${name}-${i}`));
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, port };
}

const grpcRoute = (part: Partial<Route>): Route =>
  testRoute({
    protocol: 'grpc',
    match: {
      methods: ['POST'],
      path: { kind: 'prefix', path: '/test.Echo' },
      hosts: [],
      headers: [],
      query: [],
    },
    ...part,
  });

describe('gRPC calls passed through over h2c, on the HTTP/1 port (real grpc-js both sides)', () => {
  const replicas: { server: Server; port: number }[] = [];
  let front: HttpServer;
  let h2c: H2cListener;
  let pass: GrpcPassThrough;
  let port: number;
  const clients: Client[] = [];
  // What the upstream metrics are told of each call: [upstream, outcome].
  const observed: [string, string][] = [];
  beforeEach(() => observed.splice(0));

  beforeAll(async () => {
    replicas.push(await replica('a'), await replica('b'));
    const table = compileTable(
      {
        upstreams: [testUpstream('a', replicas[0].port), testUpstream('b', replicas[1].port)],
        routes: [
          grpcRoute({
            name: 'split',
            match: {
              methods: ['POST'],
              path: { kind: 'exact', path: '/test.Echo/Say', trailingSlash: 'strict' },
              hosts: ['split.example'],
              headers: [],
              query: [],
            },
            upstream: 'a',
            backends: [
              { upstream: 'a', weight: 1 },
              { upstream: 'b', weight: 1 },
            ],
          }),
          grpcRoute({
            name: 'echo',
            upstream: 'a',
            requestHeaders: { set: [{ name: 'x-added', value: 'by-route' }], add: [], remove: [] },
            responseHeaders: { set: [{ name: 'x-answered', value: 'yes' }], add: [], remove: [] },
          }),
        ],
        methodMiss: 'not-found',
        version: 'test',
      },
      new Map(),
    );
    pass = new GrpcPassThrough((upstream, outcome) => observed.push([upstream, outcome]));
    front = createServer((_req, res) => res.end('http/1.1 here'));
    h2c = acceptH2c(front, (stream, headers, encrypted) =>
      pass.serve(stream, headers, table.grpc[encrypted ? 'https' : 'http']),
    );
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    port = (front.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    h2c.close();
    pass.close();
    await new Promise((resolve) => front.close(resolve));
    await Promise.all(replicas.map(({ server }) => new Promise((r) => server.tryShutdown(r))));
  });

  const client = (authority?: string, to = port): Client => {
    const made = new Client(
      `127.0.0.1:${to}`,
      credentials.createInsecure(),
      authority ? { 'grpc.default_authority': authority } : {},
    );
    clients.push(made);
    return made;
  };

  interface Answer {
    readonly error: ServiceError | null;
    readonly reply?: string;
    readonly trailers?: Metadata;
    readonly headers?: Metadata;
  }
  const unary = (c: Client, path: string, body: string, metadata = new Metadata()) =>
    new Promise<Answer>((resolve) => {
      let headers: Metadata | undefined;
      let trailers: Metadata | undefined;
      const call = c.makeUnaryRequest(
        path,
        bytes.serialize,
        bytes.deserialize,
        Buffer.from(body),
        metadata,
        (error, reply) =>
          setImmediate(() => resolve({ error, reply: reply?.toString(), trailers, headers })),
      );
      call.on('metadata', (m: Metadata) => (headers = m));
      call.on('status', (s: StatusObject) => (trailers = s.metadata));
    });

  it('passes a unary call through with its metadata both ways, trailers included', async () => {
    const metadata = new Metadata();
    metadata.set('x-test', 'hello');
    const answer = await unary(client(), '/test.Echo/Say', 'ping', metadata);
    expect(answer.error).toBeNull();
    expect(answer.reply).toBe('a:ping');
    expect(answer.trailers?.get('replica')).toEqual(['a']);
    expect(answer.trailers?.get('echoed-header')).toEqual(['hello']);
    // The route's header edits: on the call sent, and on the answer's headers.
    expect(answer.trailers?.get('added')).toEqual(['by-route']);
    expect(answer.headers?.get('x-answered')).toEqual(['yes']);
    expect(observed).toEqual([['a', 'success']]);
  });

  it("passes the replica's error status and message through", async () => {
    const answer = await unary(client(), '/test.Echo/Fail', 'x');
    expect(answer.error?.code).toBe(status.FAILED_PRECONDITION);
    expect(answer.error?.details).toBe('refused by a');
    // The replica's answer to a bad call: the caller's fault, not the upstream's (trailers-only).
    expect(observed).toEqual([['a', 'client_error']]);
  });

  it('passes a server-streaming call through message by message', async () => {
    const messages: string[] = [];
    const ended = await new Promise<StatusObject>((resolve) => {
      const call = client().makeServerStreamRequest(
        '/test.Echo/Count',
        bytes.serialize,
        bytes.deserialize,
        Buffer.from('go'),
      );
      call.on('data', (m: Buffer) => messages.push(m.toString()));
      call.on('status', resolve);
    });
    expect(ended.code).toBe(status.OK);
    expect(messages).toEqual(['a-0', 'a-1', 'a-2']);
  });

  it('answers UNIMPLEMENTED for a method no route takes, without calling a replica', async () => {
    const answer = await unary(client(), '/test.Other/Say', 'x');
    expect(answer.error?.code).toBe(status.UNIMPLEMENTED);
    expect(answer.error?.details).toContain('/test.Other/Say');
    expect(observed).toEqual([]);
  });

  it("shares the calls of a split route between its upstreams by weight, by the call's authority", async () => {
    const split = client('split.example');
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++)
      seen.add((await unary(split, '/test.Echo/Say', 'x')).reply ?? 'failed');
    expect([...seen].sort()).toEqual(['a:x', 'b:x']);
  });

  it('still serves HTTP/1.1 on the same port', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end('PRI is not a preface here');
    });
    expect(body).toBe('http/1.1 here');
  });

  it('passes over a replica whose connection failed, for the hold, while another is left', async () => {
    const mixed = compileTable(
      {
        upstreams: [
          {
            ...testUpstream('mixed', replicas[1].port),
            // A refused port first: round-robin would send it every other call.
            urls: ['http://127.0.0.1:9', `http://127.0.0.1:${replicas[1].port}`],
          },
        ],
        routes: [grpcRoute({ name: 'mixed', upstream: 'mixed' })],
        version: 'mixed',
      },
      new Map(),
    );
    const server = createServer();
    const own = new GrpcPassThrough();
    const listener = acceptH2c(server, (stream, headers) =>
      own.serve(stream, headers, mixed.grpc.http),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const c = client(undefined, (server.address() as AddressInfo).port);
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await unary(c, '/test.Echo/Say', 'x')).error?.code ?? status.OK);
    listener.close();
    own.close();
    await new Promise((resolve) => server.close(resolve));
    // One call finds the refused replica; the hold (4 s in the test defaults) keeps the rest off it.
    expect(codes).toEqual([
      status.UNAVAILABLE,
      status.OK,
      status.OK,
      status.OK,
      status.OK,
      status.OK,
    ]);
  });

  it('answers UNAVAILABLE when the replica cannot be reached', async () => {
    const gone = compileTable(
      {
        upstreams: [testUpstream('gone', 9)],
        routes: [grpcRoute({ name: 'gone', upstream: 'gone' })],
        version: 'gone',
      },
      new Map(),
    );
    const server = createServer();
    const listener = acceptH2c(server, (stream, headers) =>
      pass.serve(stream, headers, gone.grpc.http),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const answer = await unary(
      client(undefined, (server.address() as AddressInfo).port),
      '/test.Echo/Say',
      'x',
    );
    clients.pop()?.close();
    listener.close();
    await new Promise((resolve) => server.close(resolve));
    expect(answer.error?.code).toBe(status.UNAVAILABLE);
    expect(answer.error?.details).toContain('upstream gone');
    expect(observed).toEqual([['gone', 'unavailable']]);
  });
});

describe('gRPC calls over TLS, on the TLS port of HTTPS listeners', () => {
  it('answers h2 by ALPN only to clients offering it alone (gRPC), HTTP/1.1 to any that offers it', () => {
    expect(applicationProtocol(['h2'])).toBe('h2');
    expect(applicationProtocol(['h2', 'http/1.1'])).toBe('http/1.1');
    expect(applicationProtocol(['http/1.1'])).toBe('http/1.1');
    expect(applicationProtocol(['http/1.0'])).toBe('http/1.0');
  });

  it('passes a call of a TLS gRPC client through an https route, decrypted by the TLS port', async () => {
    const backend = await replica('tls');
    const table = compileTable(
      {
        upstreams: [testUpstream('tls', backend.port)],
        // An https route only: the call reaches it only if it is known to have come over TLS.
        routes: [
          grpcRoute({
            name: 'secure',
            upstream: 'tls',
            match: { ...grpcRoute({}).match, scheme: 'https' },
          }),
        ],
        version: 'tls',
      },
      new Map(),
    );
    const pass = new GrpcPassThrough();
    const front = createServer();
    const h2c = acceptH2c(front, (stream, headers, encrypted) =>
      pass.serve(stream, headers, table.grpc[encrypted ? 'https' : 'http']),
    );
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const tls = terminateTls(front, 0);
    tls.update({
      gateways: [
        {
          gateway: { namespace: 'ns', name: 'gw' },
          listeners: [
            {
              name: 'https',
              port: 443,
              protocol: 'HTTPS',
              hostname: null,
              certificates: [{ certificate: CERTIFICATE_PEM, privateKey: PRIVATE_KEY_PEM }],
              hosts: [],
            },
          ],
        },
      ],
      status: { gatewayClasses: [], gateways: [], routes: [] },
    });
    for (let i = 0; i < 100 && tls.address() === null; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const grpc = new Client(
      `127.0.0.1:${(tls.address() as AddressInfo).port}`,
      credentials.createSsl(Buffer.from(CERTIFICATE_PEM), null, null, {
        checkServerIdentity: () => undefined,
      }),
      { 'grpc.ssl_target_name_override': 'example.com' },
    );
    const answer = await new Promise<{ error: ServiceError | null; reply?: string }>((resolve) =>
      grpc.makeUnaryRequest(
        '/test.Echo/Say',
        bytes.serialize,
        bytes.deserialize,
        Buffer.from('sealed'),
        (error, reply) => resolve({ error, reply: reply?.toString() }),
      ),
    );
    grpc.close();
    h2c.close();
    pass.close();
    tls.close();
    front.closeAllConnections();
    await new Promise((resolve) => front.close(resolve));
    await new Promise((resolve) => backend.server.tryShutdown(resolve));
    expect(answer.error).toBeNull();
    expect(answer.reply).toBe('tls:sealed');
  });
});
