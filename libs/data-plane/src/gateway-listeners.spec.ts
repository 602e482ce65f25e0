import type { ListenerModel, ObjectRef } from '@app/gateway-api';
import { TABLE_ROUTE } from '@app/http-server';
import { createRouteTable, type Route, type RouteTable } from '@app/routes';
import {
  Client,
  credentials,
  Metadata,
  Server as GrpcServer,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceError,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  Agent,
  createServer as createHttpServer,
  request,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo, connect as connectTcp, createServer as createNetServer } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { CERTIFICATE_PEM, PRIVATE_KEY_PEM } from '../../gateway-api/src/tls.fixture';
import { testRoute, testUpstream } from './compiled-table.fixture';
import {
  type GatewayListenerPort,
  type GatewayListeners,
  gatewayListeners,
} from './gateway-listeners';
import { acceptH2c, type H2cListener } from './h2c-listener';
import { type PortTables, RouteTableServer, type TablePolicies } from './route-table-server';
import type { RouteTableMetrics } from './route-table.metrics';
import { testUpstreamPool } from './upstream-pool.fixture';
import type { OpenApiPublication } from '@app/edge';

// Real sockets on 127.0.0.1 throughout: the main port, the internal ports, the backends.

const GATEWAY_A: ObjectRef = { namespace: 'ns', name: 'gateway-a' };
const GATEWAY_B: ObjectRef = { namespace: 'ns', name: 'gateway-b' };

/** A free port of this machine now (bound, then let go). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A backend answering `<name> <path>`; `/slow` only once `release()` is called. */
async function backend(name: string) {
  const held: (() => void)[] = [];
  const server = createHttpServer((req: IncomingMessage, res: ServerResponse) => {
    const answer = () => res.end(`${name} ${req.url}`);
    if (req.url === '/slow') held.push(answer);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    held: () => held.length,
    release: () => held.splice(0).forEach((answer) => answer()),
  };
}

const prefix = (path: string, methods: Route['match']['methods'] = ['GET']): Route['match'] => ({
  methods,
  path: { kind: 'prefix', path },
  hosts: [],
  headers: [],
  query: [],
});

const httpRoute = (name: string, path: string, upstream: string): Route =>
  testRoute({ name, match: prefix(path), upstream, timeoutMs: 5000 });

const grpcRoute = (name: string, upstream: string): Route =>
  testRoute({ name, protocol: 'grpc', match: prefix('/test.Echo', ['POST']), upstream });

const listener = (protocol: 'HTTP' | 'HTTPS', port: number): ListenerModel => ({
  name: protocol.toLowerCase(),
  port,
  protocol,
  hostname: null,
  certificates:
    protocol === 'HTTPS' ? [{ certificate: CERTIFICATE_PEM, privateKey: PRIVATE_KEY_PEM }] : [],
  hosts: [],
});

// gRPC messages as raw bytes both ways, as the gateway passes them.
const bytes = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

async function grpcReplica(name: string) {
  const server = new GrpcServer();
  server.addService(
    {
      Say: {
        path: '/test.Echo/Say',
        requestStream: false,
        responseStream: false,
        requestSerialize: bytes.serialize,
        requestDeserialize: bytes.deserialize,
        responseSerialize: bytes.serialize,
        responseDeserialize: bytes.deserialize,
      },
    },
    {
      Say: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) =>
        callback(null, Buffer.from(`${name}:${call.request.toString()}`)),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { server, port };
}

describe('per-(Gateway, port) listeners and their tables (real sockets)', () => {
  let app: FastifyInstance;
  let server: RouteTableServer;
  let h2c: H2cListener;
  let listeners: GatewayListeners;
  let mainPort: number;
  // Internal ports: A's port 80, B's port 80, B's port 443; `spare` is in the range, never a pair.
  let portA: number;
  let portB: number;
  let portTls: number;
  let spare: number;
  let range: PortTables['range'];
  let backA: Awaited<ReturnType<typeof backend>>;
  let backB: Awaited<ReturnType<typeof backend>>;
  let replica: Awaited<ReturnType<typeof grpcReplica>>;
  let replicaB: Awaited<ReturnType<typeof grpcReplica>>;
  const clients: Client[] = [];
  const errors: [number, string][] = [];

  const table = (routes: Route[]): RouteTable =>
    createRouteTable({
      upstreams: [
        testUpstream('a', backA.port),
        testUpstream('b', backB.port),
        testUpstream('rpc', replica.port),
        testUpstream('rpc-b', replicaB.port),
      ].filter((u) => routes.some((r) => r.upstream === u.name)),
      routes,
      methodMiss: 'not-found',
    });

  const routesA = () => [
    httpRoute('a-only', '/a', 'a'),
    httpRoute('shared-a', '/shared', 'a'),
    httpRoute('slow-a', '/slow', 'a'),
    grpcRoute('rpc-a', 'rpc'),
  ];
  const routesB = () => [httpRoute('b-only', '/b', 'b'), httpRoute('shared-b', '/shared', 'b')];

  const pairs = (): GatewayListenerPort[] => [
    { gateway: GATEWAY_A, port: 80, internalPort: portA, listeners: [listener('HTTP', 80)] },
    { gateway: GATEWAY_B, port: 80, internalPort: portB, listeners: [listener('HTTP', 80)] },
    { gateway: GATEWAY_B, port: 443, internalPort: portTls, listeners: [listener('HTTPS', 443)] },
  ];

  /** The translation's tables: merged on the main port, each pair's on its internal port. */
  const serve = async (chosen: GatewayListenerPort[], a = routesA(), b = routesB()) => {
    // B's HTTPS port alone takes gRPC calls of B.
    const routesOf = (pair: GatewayListenerPort) =>
      pair.gateway === GATEWAY_A ? a : pair.port === 443 ? [...b, grpcRoute('rpc-b', 'rpc-b')] : b;
    const tables = new Map(chosen.map((pair) => [pair.internalPort, table(routesOf(pair))]));
    // Both Gateways' routes in one table, as routeTableFromGateways serves them today.
    await server.apply(table([...a, httpRoute('b-only', '/b', 'b')]), { range, tables });
    await listeners.update(chosen);
  };

  const get = (port: number, path: string, agent?: Agent) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      // A new connection unless an agent is given (Node's global agent keeps them alive).
      const req = request({ host: '127.0.0.1', port, path, agent: agent ?? false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  const refused = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connectTcp(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.on('error', () => resolve(true));
    });

  const unary = (port: number, tls = false) =>
    new Promise<{ error: ServiceError | null; reply?: string }>((resolve) => {
      const client = tls
        ? new Client(
            `127.0.0.1:${port}`,
            credentials.createSsl(Buffer.from(CERTIFICATE_PEM), null, null, {
              checkServerIdentity: () => undefined,
            }),
            { 'grpc.ssl_target_name_override': 'example.com' },
          )
        : new Client(`127.0.0.1:${port}`, credentials.createInsecure());
      clients.push(client);
      client.makeUnaryRequest(
        '/test.Echo/Say',
        bytes.serialize,
        bytes.deserialize,
        Buffer.from('ping'),
        new Metadata(),
        (error, reply) => resolve({ error, reply: reply?.toString() }),
      );
    });

  beforeAll(async () => {
    backA = await backend('a');
    backB = await backend('b');
    replica = await grpcReplica('rpc');
    replicaB = await grpcReplica('rpc-b');
    const policies = {
      auth: { replace: () => undefined },
      authCapabilities: { problem: () => undefined },
      rateLimits: { replace: () => undefined },
    } as unknown as TablePolicies;
    server = new RouteTableServer(
      testUpstreamPool().pool,
      policies,
      { served: () => undefined } as unknown as RouteTableMetrics,
      { publishLater: () => undefined } as unknown as OpenApiPublication,
      () => undefined,
    );
    app = Fastify();
    server.install(app);
    app.route({
      method: ['GET', 'POST'],
      url: '/*',
      config: TABLE_ROUTE,
      handler: (req, reply) => server.serve(req, reply),
    });
    h2c = acceptH2c(app.server, (stream, headers, encrypted, localPort) =>
      server.serveHttp2(stream, headers, encrypted, localPort),
    );
    listeners = gatewayListeners(app.server, {
      onError: (port, error) => errors.push([port, (error as NodeJS.ErrnoException).code ?? '']),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    mainPort = (app.server.address() as AddressInfo).port;
    // Four free ports whose range leaves the main port out.
    for (;;) {
      const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
      if (new Set(ports).size < 4) continue;
      ports.sort((x, y) => x - y);
      if (mainPort >= ports[0] && mainPort <= ports[3]) continue;
      [portA, spare, portB, portTls] = [ports[0], ports[1], ports[2], ports[3]];
      range = { from: ports[0], to: ports[3] };
      break;
    }
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    listeners.close();
    h2c.close();
    await app.close();
    await server.close();
    await Promise.all([backA, backB].map(({ server: s }) => new Promise((r) => s.close(r))));
    await Promise.all(
      [replica, replicaB].map(({ server: s }) => new Promise((resolve) => s.tryShutdown(resolve))),
    );
  });

  beforeEach(async () => {
    errors.splice(0);
    await serve(pairs());
  });

  it("answers on each internal port its own Gateway's routes only, the merged table on the main port", async () => {
    expect(listeners.listening()).toEqual([portA, portB, portTls]);
    expect(await get(portA, '/a')).toEqual({ status: 200, body: 'a /a' });
    expect((await get(portA, '/b')).status).toBe(404);
    expect(await get(portA, '/shared')).toEqual({ status: 200, body: 'a /shared' });
    expect(await get(portB, '/b')).toEqual({ status: 200, body: 'b /b' });
    expect((await get(portB, '/a')).status).toBe(404);
    expect(await get(portB, '/shared')).toEqual({ status: 200, body: 'b /shared' });
    // The main port: both Gateways, as before the per-Gateway ports.
    expect(await get(mainPort, '/a')).toEqual({ status: 200, body: 'a /a' });
    expect(await get(mainPort, '/b')).toEqual({ status: 200, body: 'b /b' });
  });

  it("matches a gRPC call over h2c against its port's table", async () => {
    expect(await unary(portA)).toEqual({ error: null, reply: 'rpc:ping' });
    const onB = await unary(portB);
    expect(onB.error?.code).toBe(status.UNIMPLEMENTED);
    expect(await unary(mainPort)).toEqual({ error: null, reply: 'rpc:ping' });
  });

  it("terminates TLS on an HTTPS pair's port with its certificates and serves its table", async () => {
    const overTls = (path: string, alpn: string[] = ['h2', 'http/1.1']) =>
      new Promise<{ alpn: string | false; answer: string }>((resolve, reject) => {
        const socket = connectTls({
          host: '127.0.0.1',
          port: portTls,
          servername: 'example.com',
          rejectUnauthorized: false,
          ALPNProtocols: alpn,
        });
        let answer = '';
        socket.on('secureConnect', () =>
          socket.write(`GET ${path} HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n`),
        );
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.on('end', () => resolve({ alpn: socket.alpnProtocol ?? false, answer }));
        socket.on('error', reject);
      });
    const b = await overTls('/b');
    // Browsers' offer: HTTP/1.1 answered, the TLS port's rule (tls-termination.ts).
    expect(b.alpn).toBe('http/1.1');
    expect(b.answer).toMatch(/^HTTP\/1\.1 200[^]*b \/b$/);
    // B's table, not the merged one (which has A's /a): the TLS socket's port is read.
    expect((await overTls('/a')).answer).toMatch(/^HTTP\/1\.1 404/);
  });

  it("matches a gRPC call over TLS (h2 by ALPN) against its HTTPS port's table", async () => {
    // B's replica: the merged table would send it to A's.
    expect(await unary(portTls, true)).toEqual({ error: null, reply: 'rpc-b:ping' });
  });

  it('opens and closes the ports as pairs come and go, and retries a port it could not open', async () => {
    await serve([pairs()[0]]);
    expect(listeners.listening()).toEqual([portA]);
    expect(await refused(portB)).toBe(true);
    expect(await refused(portTls)).toBe(true);
    expect(await get(portA, '/a')).toEqual({ status: 200, body: 'a /a' });

    // A port taken by someone else: reported, the others open; opened on a later update.
    const squatter = createNetServer();
    await new Promise<void>((resolve) => squatter.listen(portB, '127.0.0.1', resolve));
    await serve(pairs());
    expect(errors).toEqual([[portB, 'EADDRINUSE']]);
    expect(listeners.listening()).toEqual([portA, portTls]);
    await new Promise((resolve) => squatter.close(resolve));
    await serve(pairs());
    expect(listeners.listening()).toEqual([portA, portB, portTls]);
    expect(await get(portB, '/b')).toEqual({ status: 200, body: 'b /b' });

    // A pair gone while its port was still being bound: the port is let go once bound.
    await listeners.update([pairs()[0]]);
    const binding = listeners.update(pairs());
    await listeners.update([pairs()[0]]);
    await binding;
    expect(listeners.listening()).toEqual([portA]);
    expect(await refused(portB)).toBe(true);
    await serve(pairs());

    // A pair whose protocol changes keeps its port, now the other kind of server.
    const tlsOnA = pairs().map((pair) =>
      pair.internalPort === portA ? { ...pair, listeners: [listener('HTTPS', 80)] } : pair,
    );
    await serve(tlsOnA);
    expect(listeners.listening()).toEqual([portA, portB, portTls]);
    await expect(get(portA, '/a')).rejects.toThrow();
  });

  it('answers a connection still open on a port whose pair is gone from no table', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(portB, '/b', agent)).toEqual({ status: 200, body: 'b /b' });
    await serve([pairs()[0]]);
    // The kept-alive connection to B's old port: not the merged table's /b.
    expect((await get(portB, '/b', agent)).status).toBe(404);
    agent.destroy();
    // A port of the range no pair ever had is closed; the main port is not in the range.
    expect(await refused(spare)).toBe(true);
  });

  it('finishes a request in flight on the table it started with when the tables swap', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const slow = get(portA, '/slow', agent);
    await waitFor(() => backA.held() === 1);
    // A's port now sends /slow and /a to B's backend.
    const moved = routesA().map((route) =>
      route.upstream === 'a' ? { ...route, upstream: 'b' } : route,
    );
    await serve(pairs(), moved);
    expect(await get(portA, '/a')).toEqual({ status: 200, body: 'b /a' });
    backA.release();
    expect(await slow).toEqual({ status: 200, body: 'a /slow' });
    // The same connection's next request: the new table.
    expect(await get(portA, '/a', agent)).toEqual({ status: 200, body: 'b /a' });
    agent.destroy();
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
