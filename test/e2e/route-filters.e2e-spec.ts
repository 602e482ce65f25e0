import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot, type Stack } from '../../process-topology/index.ts';
import { type HeaderEcho, startHeaderEcho } from '../support/header-echo.ts';
import { postJson } from '../support/http.ts';
import { testStack } from '../support/stack.ts';

// Filters on the route (docs/route-file.md, `requestHeaders`, `responseHeaders`, `rewrite`,
// `redirect`) and what else a route can do (`backends` by weight, `respond`, an upstream's
// `preserveHost`): a real gateway edits and rewrites what it sends to an upstream that echoes what
// it received, edits the answers of that upstream and of rpc-app-1 (transcoded gRPC), shares a
// route between upstreams, and answers redirect and respond routes itself.
describe('route filters: header edits and redirects (ROUTES_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'route-filters-'));
  const file = join(dir, 'routes.yaml');
  let stack: Stack;
  let echo: HeaderEcho;

  beforeAll(async () => {
    echo = await startHeaderEcho();
    stack = testStack({ env: { gateway: { ROUTES_FILE: file } } });
    writeFileSync(
      file,
      stringify({
        formatVersion: 1,
        upstreams: {
          echo: {
            kind: 'http',
            urls: [echo.url],
            // The upstream's own edit: the route's come after it.
            headers: { add: { 'x-layer': 'upstream', 'x-upstream-only': 'yes' } },
          },
          // One echo server as three upstreams, told apart by a header each adds.
          ...Object.fromEntries(
            ['a', 'b', 'never'].map((name) => [
              `echo-${name}`,
              { kind: 'http', urls: [echo.url], headers: { add: { 'x-backend': name } } },
            ]),
          ),
          'echo-host': { kind: 'http', urls: [echo.url], preserveHost: true },
          'rpc-app-1': {
            kind: 'grpc',
            target: stack.rpcTarget(),
            protos: [join(repoRoot(), 'proto/userverify.proto')],
          },
        },
        routes: [
          {
            name: 'echo',
            match: { methods: ['GET'], path: { prefix: '/echo' } },
            upstream: 'echo',
            requestHeaders: {
              set: { 'X-Tenant': 'blue', 'X-Layer': 'route' },
              add: { 'X-Trace': 'gateway' },
              remove: ['X-Debug'],
            },
            responseHeaders: {
              set: { 'Cache-Control': 'no-store' },
              add: { Vary: 'origin' },
              remove: ['Server'],
            },
          },
          {
            name: 'rewritten',
            match: { methods: ['GET'], path: { prefix: '/api' } },
            upstream: 'echo',
            rewrite: { path: { prefix: '/internal' }, hostname: 'echo.internal' },
          },
          {
            name: 'verify',
            match: { methods: ['POST'], path: { exact: '/verify' } },
            upstream: 'rpc-app-1',
            grpc: { service: 'userverify.UserVerify', method: 'VerifyUser' },
            responseHeaders: { set: { 'x-served-by': 'rpc-app-1' } },
          },
          {
            name: 'moved',
            match: { methods: ['GET', 'POST'], path: { exact: '/moved' } },
            redirect: {
              scheme: 'https',
              hostname: 'new.example.com',
              path: { full: '/v2/moved' },
              statusCode: 301,
            },
          },
          {
            name: 'old',
            match: { methods: ['GET'], path: { prefix: '/old' } },
            redirect: { path: { prefix: '/echo' } },
          },
          {
            name: 'split',
            match: { methods: ['GET'], path: { prefix: '/split' } },
            backends: [
              { upstream: 'echo-a', weight: 1 },
              { upstream: 'echo-b', weight: 1 },
              { upstream: 'echo-never', weight: 0 },
            ],
          },
          {
            name: 'host',
            match: { methods: ['GET'], path: { prefix: '/host' } },
            upstream: 'echo-host',
          },
          {
            name: 'gone',
            match: { methods: ['GET'], path: { prefix: '/gone' } },
            respond: { status: 410, message: 'this API was retired' },
          },
        ],
      }),
    );
    await stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
    await echo?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** GET through node:http, so that one header can go on two lines. */
  function getRaw(
    path: string,
    headers: Record<string, string | string[]>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(`${stack.gatewayUrl}${path}`, { headers, timeout: 15_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer in 15 s')));
      req.on('error', reject);
      req.end();
    });
  }

  it('sets, adds and removes request headers before the request reaches the upstream', async () => {
    const reply = await getRaw('/echo/a', {
      'x-tenant': 'red',
      'X-Trace': ['client-1', 'client-2'],
      'x-debug': 'on',
      'x-kept': 'k',
    });
    expect(reply.status).toBe(200);
    const { headers } = JSON.parse(reply.body) as { headers: Record<string, string> };
    expect(headers).toMatchObject({
      // set replaces the client's value, whatever the case of its name.
      'x-tenant': 'blue',
      // add appends to the client's value, both of its lines.
      'x-trace': 'client-1, client-2,gateway',
      // The route's edits come after the upstream's own.
      'x-layer': 'route',
      'x-upstream-only': 'yes',
      'x-kept': 'k',
    });
    expect(headers).not.toHaveProperty('x-debug');
  });

  it('adds a request header the client did not send', async () => {
    const reply = await getRaw('/echo/b', {});
    const { headers } = JSON.parse(reply.body) as { headers: Record<string, string> };
    expect(headers['x-trace']).toBe('gateway');
    expect(headers['x-tenant']).toBe('blue');
  });

  it("edits the upstream's answer: set, add to its value, remove", async () => {
    const reply = await getRaw('/echo/c', {});
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers.vary).toBe('accept,origin');
    expect(reply.headers).not.toHaveProperty('server');
  });

  it('rewrites the path and the Host header the upstream gets, keeping the query', async () => {
    const reply = await getRaw('/api/a/b?q=1', {});
    expect(reply.status).toBe(200);
    const echoed = JSON.parse(reply.body) as { path: string; headers: Record<string, string> };
    expect(echoed.path).toBe('/internal/a/b?q=1');
    expect(echoed.headers.host).toBe('echo.internal');
    // Without a rewrite the upstream gets its own authority.
    const plain = JSON.parse((await getRaw('/echo/a', {})).body) as typeof echoed;
    expect(plain.headers.host).toBe(new URL(echo.url).host);
  });

  it('sets a response header on the transcoded answer of a gRPC route', async () => {
    const reply = await postJson(`${stack.gatewayUrl}/verify`, { id: 7, token: 't' });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ message: 'Verified: 7' });
    expect(reply.headers.get('x-served-by')).toBe('rpc-app-1');
  });

  it('answers a redirect route itself with its status and Location, calling no upstream', async () => {
    const before = echo.received;
    for (const method of ['GET', 'POST']) {
      const moved = await fetch(`${stack.gatewayUrl}/moved?from=a`, {
        method,
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
      await moved.arrayBuffer();
      expect({ method, status: moved.status, location: moved.headers.get('location') }).toEqual({
        method,
        status: 301,
        // A new scheme without a port: its well-known port, left out; the query string kept.
        location: 'https://new.example.com/v2/moved?from=a',
      });
    }
    const old = await fetch(`${stack.gatewayUrl}/old/x/y?z=1`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    await old.arrayBuffer();
    expect(old.status).toBe(302);
    // Scheme, host and port the client used; the matched prefix replaced.
    expect(old.headers.get('location')).toBe(`${stack.gatewayUrl}/echo/x/y?z=1`);
    expect(echo.received).toBe(before);
  });

  it('shares a route between its backends by weight, never sending to a weight of 0', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const reply = await getRaw('/split/x', {});
      const backend = (JSON.parse(reply.body) as { headers: Record<string, string> }).headers[
        'x-backend'
      ];
      seen.set(backend, (seen.get(backend) ?? 0) + 1);
    }
    // Half each in expectation; either one absent from 200 draws has a chance of 2^-199.
    expect([...seen.keys()].sort()).toEqual(['a', 'b']);
  });

  it("sends the client's Host with preserveHost, the upstream's own without", async () => {
    const host = (path: string) =>
      getRaw(path, { host: 'shop.example.com' }).then(
        (reply) => (JSON.parse(reply.body) as { headers: Record<string, string> }).headers.host,
      );
    expect(await host('/host/x')).toBe('shop.example.com');
    expect(await host('/echo/x')).toBe(new URL(echo.url).host);
  });

  it("answers a respond route itself: its status and the stack's JSON error body", async () => {
    const before = echo.received;
    const reply = await getRaw('/gone/x', {});
    expect(reply.status).toBe(410);
    expect(JSON.parse(reply.body)).toEqual({
      statusCode: 410,
      error: 'Gone',
      message: 'this API was retired',
    });
    expect(echo.received).toBe(before);
  });
});
