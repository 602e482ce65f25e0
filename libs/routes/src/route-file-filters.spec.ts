import { ConfigError } from '@app/env';
import { stringify } from 'yaml';
import { parseRouteFile } from './parse-route-file';
import { REPO_ROOT, TEST_DEFAULTS, type TestFile, validFile } from './route-file.fixture';

// Filters on the route: header edits of the request and the answer, and redirect routes - what
// the route file accepts, refuses, and builds.
const SOURCE = { name: 'routes.yaml', baseDir: REPO_ROOT };
const parse = (file: TestFile) => parseRouteFile(stringify(file), SOURCE, TEST_DEFAULTS);

function errorOf(change: (file: TestFile) => void): string {
  const file = validFile();
  change(file);
  try {
    parse(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the file was accepted');
}

/** The valid file with a redirect route on every path below /old. */
function redirectFile(redirect: Record<string, unknown>): TestFile {
  const file = validFile();
  file.routes.push({
    name: 'old',
    match: { methods: ['GET', 'POST'], path: { prefix: '/old' } },
    redirect,
  });
  return file;
}

const routeOf = (file: TestFile, name: string) => parse(file).routes.find((r) => r.name === name);

describe('route file header edits', () => {
  it('builds them with lower-case names, each list sorted by name', () => {
    const file = validFile();
    file.routes[0].requestHeaders = {
      set: { 'X-Tenant': 'blue', Accept: 'application/json' },
      add: { 'X-Trace': 'gw' },
      remove: ['X-Debug', 'Cookie'],
    };
    file.routes[2].responseHeaders = { set: { 'Cache-Control': 'no-store' } };
    expect(routeOf(file, 'orders-list')?.requestHeaders).toEqual({
      set: [
        { name: 'accept', value: 'application/json' },
        { name: 'x-tenant', value: 'blue' },
      ],
      add: [{ name: 'x-trace', value: 'gw' }],
      remove: ['cookie', 'x-debug'],
    });
    expect(routeOf(file, 'verify')?.responseHeaders).toEqual({
      set: [{ name: 'cache-control', value: 'no-store' }],
      add: [],
      remove: [],
    });
  });

  it('leaves them out of a route without any, and out of its table version', () => {
    const plain = parse(validFile());
    const route = plain.routes.find((r) => r.name === 'orders-list');
    expect(route).not.toHaveProperty('requestHeaders');
    expect(route).not.toHaveProperty('responseHeaders');
    expect(route).not.toHaveProperty('redirect');
    const edited = validFile();
    edited.routes[0].responseHeaders = { remove: ['server'] };
    expect(parse(edited).version).not.toBe(plain.version);
  });

  it.each<[string, (file: TestFile) => void, string]>([
    [
      'a hop-by-hop header',
      (f) => (f.routes[0].requestHeaders = { set: { Connection: 'close' } }),
      'routes.yaml: routes[0] "orders-list": requestHeaders.set.Connection: "connection" may not be edited: a hop-by-hop header, never passed on',
    ],
    [
      'the host header',
      (f) => (f.routes[0].requestHeaders = { add: { host: 'other' } }),
      'routes.yaml: routes[0] "orders-list": requestHeaders.add.host: "host" may not be edited: set by the gateway for the upstream it calls',
    ],
    [
      'removing transfer-encoding from the answer',
      (f) => (f.routes[0].responseHeaders = { remove: ['x-a', 'Transfer-Encoding'] }),
      'routes.yaml: routes[0] "orders-list": responseHeaders.remove[1]: "transfer-encoding" may not be edited: a hop-by-hop header, never passed on',
    ],
    [
      'content-length',
      (f) => (f.routes[0].responseHeaders = { set: { 'content-length': '3' } }),
      'routes.yaml: routes[0] "orders-list": responseHeaders.set.content-length: "content-length" may not be edited: the body\'s framing, computed by the gateway',
    ],
    [
      'the request id',
      (f) => (f.routes[0].requestHeaders = { set: { 'X-Request-Id': 'fixed' } }),
      'routes.yaml: routes[0] "orders-list": requestHeaders.set.X-Request-Id: "x-request-id" may not be edited: set by the gateway on every attempt',
    ],
    [
      'a name in two lists',
      (f) => (f.routes[0].requestHeaders = { set: { 'X-A': '1' }, remove: ['x-a'] }),
      'routes.yaml: routes[0] "orders-list": requestHeaders.remove[0]: "x-a" is also in set (names ignore case; one list per name)',
    ],
    [
      'a value on two lines',
      (f) => (f.routes[0].responseHeaders = { add: { 'x-a': 'a\nb' } }),
      'routes.yaml: routes[0] "orders-list": responseHeaders.add.x-a: expected a header value on one line (got "a\\nb")',
    ],
    [
      'request headers on a grpc route',
      (f) => (f.routes[2].requestHeaders = { set: { 'x-a': '1' } }),
      'routes.yaml: routes[2] "verify": requestHeaders: only for routes to an http upstream ("users" is grpc: its calls carry no request headers)',
    ],
    [
      'an unknown operation',
      (f) => (f.routes[0].responseHeaders = { append: { 'x-a': '1' } }),
      'routes.yaml: routes[0] "orders-list": responseHeaders.append: unknown field',
    ],
  ])('refuses %s, naming the field', (_, change, line) => {
    expect(errorOf(change)).toBe(line);
  });
});

describe('route file routes shared by weight (backends)', () => {
  function splitFile(backends: unknown, extra: Record<string, unknown> = {}) {
    const file = validFile();
    file.routes.push({
      name: 'canary',
      match: { methods: ['GET'], path: { prefix: '/canary' } },
      backends,
      ...extra,
    } as TestFile['routes'][number]);
    return file;
  }
  const http = (file: TestFile) =>
    Object.keys(file.upstreams).find((n) => file.upstreams[n].kind === 'http')!;
  const grpc = (file: TestFile) =>
    Object.keys(file.upstreams).find((n) => file.upstreams[n].kind === 'grpc')!;

  it('builds the shares, the first upstream as the route upstream', () => {
    const file = validFile();
    const name = http(file);
    const route = routeOf(
      splitFile([
        { upstream: name, weight: 9 },
        { upstream: name, weight: 1 },
      ]),
      'canary',
    );
    expect(route).toMatchObject({
      upstream: name,
      backends: [
        { upstream: name, weight: 9 },
        { upstream: name, weight: 1 },
      ],
    });
  });

  it('refuses a grpc upstream, an unknown one, all weights 0, and upstream beside it', () => {
    const file = validFile();
    expect(() => parse(splitFile([{ upstream: grpc(file), weight: 1 }]))).toThrow(
      'backends[0].upstream: only http upstreams share a route',
    );
    expect(() => parse(splitFile([{ upstream: 'nowhere', weight: 1 }]))).toThrow(
      'backends[0].upstream: no upstream named "nowhere"',
    );
    expect(() => parse(splitFile([{ upstream: http(file), weight: 0 }]))).toThrow(
      'backends: at least one weight above 0',
    );
    expect(() =>
      parse(splitFile([{ upstream: http(file), weight: 1 }], { upstream: http(file) })),
    ).toThrow(
      'backends: a route has one of upstream, backends, redirect, respond (not upstream and backends)',
    );
  });
});

describe('route file respond shares of a split', () => {
  function withShares(backends: unknown) {
    const file = validFile();
    file.routes.push({
      name: 'faulty',
      match: { methods: ['GET'], path: { prefix: '/faulty' } },
      backends,
    } as TestFile['routes'][number]);
    return file;
  }
  const http = (file: TestFile) =>
    Object.keys(file.upstreams).find((n) => file.upstreams[n].kind === 'http')!;

  it('builds a share the gateway answers itself beside an upstream, the upstream the route upstream', () => {
    const name = http(validFile());
    const route = routeOf(
      withShares([
        { respond: { status: 503, message: 'injected' }, weight: 1 },
        { upstream: name, weight: 9 },
      ]),
      'faulty',
    );
    expect(route).toMatchObject({
      upstream: name,
      backends: [
        { respond: { status: 503, message: 'injected' }, weight: 1 },
        { upstream: name, weight: 9 },
      ],
    });
  });

  it('refuses a share of both or neither, edits on a respond share, and no upstream at all', () => {
    const name = http(validFile());
    const respond = { status: 500, message: 'x' };
    expect(() => parse(withShares([{ upstream: name, respond, weight: 1 }]))).toThrow(
      'backends[0]: a share has one of upstream, respond',
    );
    expect(() =>
      parse(
        withShares([
          { respond, weight: 1, requestHeaders: { set: { a: 'b' } } },
          { upstream: name, weight: 1 },
        ]),
      ),
    ).toThrow('backends[0].requestHeaders: not on a respond share');
    expect(() => parse(withShares([{ respond, weight: 1 }]))).toThrow(
      'backends: at least one upstream',
    );
  });
});

describe('route file edits per backend of a split', () => {
  function splitWithEdits(extra: Record<string, unknown>, backendEdits: Record<string, unknown>) {
    const file = validFile();
    const name = Object.keys(file.upstreams).find((n) => file.upstreams[n].kind === 'http')!;
    file.routes.push({
      name: 'canary',
      match: { methods: ['GET'], path: { prefix: '/canary' } },
      backends: [
        { upstream: name, weight: 1, ...backendEdits },
        { upstream: name, weight: 1 },
      ],
      ...extra,
    } as TestFile['routes'][number]);
    return file;
  }

  it("builds each backend's edits beside the route's", () => {
    const route = routeOf(
      splitWithEdits(
        { requestHeaders: { set: { 'X-Route': 'r' } } },
        { requestHeaders: { set: { Backend: 'v1' } }, responseHeaders: { remove: ['X-Debug'] } },
      ),
      'canary',
    );
    expect(route?.requestHeaders).toEqual({
      set: [{ name: 'x-route', value: 'r' }],
      add: [],
      remove: [],
    });
    expect(route?.backends?.[0]).toMatchObject({
      requestHeaders: { set: [{ name: 'backend', value: 'v1' }], add: [], remove: [] },
      responseHeaders: { set: [], add: [], remove: ['x-debug'] },
    });
    expect(route?.backends?.[1]).not.toHaveProperty('requestHeaders');
  });

  it('refuses a header both the route and a backend edit, and a header the gateway owns', () => {
    expect(() =>
      parse(
        splitWithEdits(
          { requestHeaders: { set: { 'X-Tier': 'a' } } },
          { requestHeaders: { remove: ['x-tier'] } },
        ),
      ),
    ).toThrow(
      `backends[0].requestHeaders: "x-tier" is also edited by the route's requestHeaders: one of them edits a header`,
    );
    expect(() => parse(splitWithEdits({}, { requestHeaders: { set: { Host: 'a' } } }))).toThrow(
      'backends[0].requestHeaders.set.Host: "host" may not be edited',
    );
  });
});

describe('route file respond routes', () => {
  function respondFile(respond: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const file = validFile();
    file.routes.push({
      name: 'gone',
      match: { methods: ['GET'], path: { prefix: '/gone' } },
      respond,
      ...extra,
    } as TestFile['routes'][number]);
    return file;
  }

  it('builds a respond route: no upstream, the status and message', () => {
    expect(routeOf(respondFile({ status: 410, message: 'retired' }), 'gone')).toMatchObject({
      upstream: null,
      respond: { status: 410, message: 'retired' },
    });
  });

  it.each<[string, TestFile, string]>([
    [
      'a status that is no error',
      respondFile({ status: 200, message: 'ok' }),
      'routes.yaml: routes[3] "gone": respond.status: expected at least 400 (got 200)',
    ],
    [
      'an upstream beside it',
      respondFile({ status: 410, message: 'retired' }, { upstream: 'orders' }),
      'routes.yaml: routes[3] "gone": respond: a route has one of upstream, backends, redirect, respond (not upstream and respond)',
    ],
    [
      'a field of a call',
      respondFile({ status: 410, message: 'retired' }, { timeoutMs: 100 }),
      'routes.yaml: routes[3] "gone": timeoutMs: not on a respond route: it calls no upstream',
    ],
  ])('refuses %s, naming the field', (_, file, message) => {
    expect(() => parse(file)).toThrow(message);
  });
});

describe('route file redirect routes', () => {
  it('builds a redirect route: no upstream, every part left out null, status 302', () => {
    const route = routeOf(redirectFile({}), 'old');
    expect(route).toMatchObject({
      upstream: null,
      grpc: null,
      redirect: { scheme: null, hostname: null, port: null, path: null, statusCode: 302 },
    });
  });

  it('builds every part as given, the host name lower case and the prefix normalised', () => {
    const file = redirectFile({
      scheme: 'https',
      hostname: 'New.Example.com',
      port: 8443,
      path: { prefix: '/new/' },
      statusCode: 301,
    });
    file.routes[3].responseHeaders = { set: { 'Cache-Control': 'max-age=60' } };
    const route = routeOf(file, 'old');
    expect(route?.redirect).toEqual({
      scheme: 'https',
      hostname: 'new.example.com',
      port: 8443,
      path: { kind: 'prefix', prefix: '/new' },
      statusCode: 301,
    });
    expect(route?.responseHeaders?.set).toEqual([{ name: 'cache-control', value: 'max-age=60' }]);
    expect(routeOf(redirectFile({ path: { full: '/moved' } }), 'old')?.redirect?.path).toEqual({
      kind: 'full',
      path: '/moved',
    });
  });

  it.each<[string, (file: TestFile) => void, string]>([
    [
      'a route with neither upstream nor redirect',
      (f) => delete f.routes[0].upstream,
      'routes.yaml: routes[0] "orders-list": upstream: required unless backends, redirect or respond is given',
    ],
    [
      'a route with both',
      (f) => (f.routes[0].redirect = { scheme: 'https' }),
      'routes.yaml: routes[0] "orders-list": redirect: a route has one of upstream, backends, redirect, respond (not upstream and redirect)',
    ],
    [
      'a status that is no redirect',
      (f) => f.routes.push({ ...redirectFile({ statusCode: 200 }).routes[3] }),
      'routes.yaml: routes[3] "old": redirect.statusCode: expected 301, 302, 303, 307, 308 (got 200)',
    ],
    [
      'a prefix path on a route that is no prefix route',
      (f) =>
        f.routes.push({
          name: 'moved',
          match: { methods: ['GET'], path: { exact: '/moved' } },
          redirect: { path: { prefix: '/new' } },
        }),
      'routes.yaml: routes[3] "moved": redirect.path.prefix: only on a route whose match.path is a prefix',
    ],
    [
      'both kinds of path',
      (f) => f.routes.push(redirectFile({ path: { full: '/a', prefix: '/b' } }).routes[3]),
      'routes.yaml: routes[3] "old": redirect.path: expected exactly one of full, prefix',
    ],
    [
      'a wildcard host name',
      (f) => f.routes.push(redirectFile({ hostname: '*.example.com' }).routes[3]),
      'routes.yaml: routes[3] "old": redirect.hostname: expected a host name, not a wildcard',
    ],
    [
      'a scheme other than http and https',
      (f) => f.routes.push(redirectFile({ scheme: 'ftp' }).routes[3]),
      'routes.yaml: routes[3] "old": redirect.scheme: expected "http" or "https" (got "ftp")',
    ],
    [
      'a port out of range',
      (f) => f.routes.push(redirectFile({ port: 70000 }).routes[3]),
      'routes.yaml: routes[3] "old": redirect.port: expected at most 65535 (got 70000)',
    ],
    [
      'a timeout on a redirect route',
      (f) => f.routes.push({ ...redirectFile({}).routes[3], timeoutMs: 100 }),
      'routes.yaml: routes[3] "old": timeoutMs: not on a redirect route: it calls no upstream',
    ],
    [
      'request headers on a redirect route',
      (f) => f.routes.push({ ...redirectFile({}).routes[3], requestHeaders: { remove: ['x'] } }),
      'routes.yaml: routes[3] "old": requestHeaders: not on a redirect route: it calls no upstream',
    ],
    [
      'a redirect route on the requests of another route',
      (f) =>
        f.routes.push({
          name: 'verify-moved',
          match: { methods: ['POST'], path: { exact: '/verify' } },
          redirect: { hostname: 'example.com' },
        }),
      'routes.yaml: routes[3] "verify-moved": match: POST exact /verify (any host) is already routed by routes[2] "verify"',
    ],
  ])('refuses %s, naming the field', (_, change, line) => {
    expect(errorOf(change)).toBe(line);
  });
});

describe('route file rewrites on the route', () => {
  it('builds the path and the host name, lower case; a part left out is null', () => {
    const file = validFile();
    file.routes[0].rewrite = { path: { prefix: '/v3/' }, hostname: 'Orders.Internal' };
    file.routes[1].rewrite = { path: { full: '/order' } };
    expect(routeOf(file, 'orders-list')?.rewrite).toEqual({
      hostname: 'orders.internal',
      path: { kind: 'prefix', prefix: '/v3' },
    });
    expect(routeOf(file, 'order')?.rewrite).toEqual({
      hostname: null,
      path: { kind: 'full', path: '/order' },
    });
    expect(routeOf(validFile(), 'order')).not.toHaveProperty('rewrite');
  });

  it.each<[string, (file: TestFile) => void, string]>([
    [
      'an empty rewrite',
      (f) => (f.routes[0].rewrite = {}),
      'routes.yaml: routes[0] "orders-list": rewrite: expected path or hostname',
    ],
    [
      'a prefix path on a route that is no prefix route',
      (f) => (f.routes[1].rewrite = { path: { prefix: '/x' } }),
      'routes.yaml: routes[1] "order": rewrite.path.prefix: only on a route whose match.path is a prefix',
    ],
    [
      'a rewrite on a grpc route',
      (f) => (f.routes[2].rewrite = { hostname: 'a.test' }),
      'routes.yaml: routes[2] "verify": rewrite: only for routes to an http upstream ("users" is grpc: the method is the path)',
    ],
    [
      'a rewrite on a redirect route',
      (f) => f.routes.push({ ...redirectFile({}).routes[3], rewrite: { hostname: 'a.test' } }),
      'routes.yaml: routes[3] "old": rewrite: not on a redirect route: it calls no upstream',
    ],
  ])('refuses %s, naming the field', (_, change, line) => {
    expect(errorOf(change)).toBe(line);
  });
});
