import { ConfigError } from '@app/env';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseRouteFile, parseRouteFileValue } from './parse-route-file';
import {
  ORDER_SCHEMA,
  REPO_ROOT,
  TEST_DEFAULTS,
  type TestFile,
  validFile,
} from './route-file.fixture';
import type { RouteTable } from './route-model';

const SOURCE = { name: 'routes.yaml', baseDir: REPO_ROOT };

const parse = (content: string) => parseRouteFile(content, SOURCE, TEST_DEFAULTS);

/** The error of the valid file after `change`: its message, all lines. */
function errorOf(change: (file: TestFile) => void): string {
  const file = validFile();
  change(file);
  try {
    parse(stringify(file));
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the file was accepted');
}

describe('parseRouteFile', () => {
  const { traffic } = TEST_DEFAULTS;

  it('builds the table of a YAML file, every value left out taken from the defaults', () => {
    const table = parse(stringify(validFile()));
    expect(table).toEqual<RouteTable>({
      upstreams: [
        {
          kind: 'http',
          name: 'orders',
          urls: ['http://orders-a:8080', 'http://orders-b:8080/base'],
          rewrite: { prefix: '/api/orders', replacement: '/v2/orders' },
          headers: { add: { 'x-gateway': 'edge', 'x-env': 'test' }, remove: ['cookie', 'x-debug'] },
          traffic: {
            ...traffic.http,
            timeoutMs: 2000,
            retry: { ...traffic.http.retry, maxAttempts: 2, perTryTimeoutMs: 600 },
            breaker: { ...traffic.http.breaker, windowMs: 5000 },
            outlier: { ...traffic.http.outlier, consecutiveFailures: 3 },
          },
        },
        {
          kind: 'grpc',
          name: 'users',
          target: 'dns:///users:6000',
          protos: [join(REPO_ROOT, 'proto/userverify.proto')],
          httpRulesFromProtos: true,
          traffic: {
            ...traffic.grpc,
            breaker: { ...traffic.grpc.breaker, resetTimeoutMs: 1000 },
            keepalive: { ...traffic.grpc.keepalive, timeMs: 20_000 },
          },
        },
      ],
      routes: [
        {
          name: 'order',
          order: 0,
          match: {
            methods: ['PUT'],
            path: { kind: 'template', path: '/api/orders/{id}', variables: ['id'] },
            hosts: [],
            headers: [],
            query: [],
          },
          upstream: 'orders',
          grpc: null,
          auth: TEST_DEFAULTS.auth,
          rateLimit: null,
          timeoutMs: 1000,
          retry: { idempotent: true, maxAttempts: 1, perTryTimeoutMs: 300 },
          bodyLimitBytes: 4096,
          bodySchema: ORDER_SCHEMA,
        },
        {
          name: 'orders-list',
          order: 1,
          match: {
            methods: ['GET', 'HEAD'],
            path: { kind: 'prefix', path: '/api/orders' },
            hosts: ['*.example.org', 'api.example.com'],
            headers: [],
            query: [],
          },
          upstream: 'orders',
          grpc: null,
          auth: { scheme: 'jwt', scopes: ['orders.read', 'orders.write'] },
          rateLimit: { limit: 50, windowMs: 60_000 },
          timeoutMs: 2000,
          retry: { idempotent: true, maxAttempts: 2, perTryTimeoutMs: 600 },
          bodyLimitBytes: 2048,
          bodySchema: null,
        },
        {
          name: 'verify',
          order: 2,
          match: {
            methods: ['POST'],
            path: { kind: 'exact', path: '/verify', trailingSlash: 'ignore' },
            hosts: [],
            headers: [],
            query: [],
          },
          upstream: 'users',
          grpc: { service: 'userverify.UserVerify', method: 'VerifyUser' },
          auth: { scheme: 'none', scopes: [] },
          rateLimit: { limit: 20, windowMs: 1000 },
          timeoutMs: 4000,
          retry: { idempotent: false, maxAttempts: 4, perTryTimeoutMs: 900 },
          bodyLimitBytes: 2048,
          bodySchema: null,
        },
      ],
      // The file's own verify route takes what the proto's annotation says: the file wins.
      skipped: [
        {
          upstream: 'users',
          grpcPath: '/userverify.UserVerify/VerifyUser',
          reason: 'route "verify" of the file takes POST /verify',
        },
      ],
      version: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
    });
  });

  it('reads the same file written as JSON into the same table', () => {
    expect(parse(JSON.stringify(validFile(), null, 2))).toEqual(parse(stringify(validFile())));
  });

  it.each<[string, (file: TestFile) => void, string]>([
    [
      'a route naming no upstream',
      (f) => (f.routes[1].upstream = 'order-svc'),
      'routes.yaml: routes[1] "order": upstream: no upstream named "order-svc"',
    ],
    [
      'two routes of one name',
      (f) => (f.routes[2].name = 'order'),
      'routes.yaml: routes[2] "order": name: "order" is also the name of routes[1]',
    ],
    [
      'two routes taking the same method, exact path and host',
      (f) =>
        f.routes.push({
          ...f.routes[2],
          name: 'verify-again',
          match: { methods: ['POST'], path: { exact: '/verify' } },
        }),
      'routes.yaml: routes[3] "verify-again": match: POST exact /verify (any host) is already routed by routes[2] "verify"',
    ],
    [
      'two templates differing only in variable names',
      (f) =>
        f.routes.push({
          ...f.routes[1],
          name: 'order-2',
          match: { methods: ['GET', 'PUT'], path: { template: '/api/orders/{orderId}' } },
        }),
      'routes.yaml: routes[3] "order-2": match: PUT template /api/orders/{orderId} (any host) is already routed by routes[1] "order"',
    ],
    [
      'two prefixes on one host',
      (f) =>
        f.routes.push({
          ...f.routes[0],
          name: 'orders-2',
          match: { methods: ['GET'], path: { prefix: '/api/orders' }, hosts: ['api.example.com'] },
        }),
      'routes.yaml: routes[3] "orders-2": match: GET prefix /api/orders (host api.example.com) is already routed by routes[0] "orders-list"',
    ],
    [
      'a gRPC method on a route to an HTTP upstream',
      (f) => (f.routes[1].grpc = { service: 'a.B', method: 'C' }),
      'routes.yaml: routes[1] "order": grpc: only for routes to a grpc upstream ("orders" is http)',
    ],
    [
      'a route to a gRPC upstream without its method',
      (f) => delete f.routes[2].grpc,
      'routes.yaml: routes[2] "verify": grpc: required: "users" is a grpc upstream',
    ],
    [
      'a gRPC field on an HTTP upstream',
      (f) => (f.upstreams.orders.target = 'dns:///orders:8080'),
      'routes.yaml: upstreams "orders": target: only for grpc upstreams',
    ],
    [
      'an HTTP field on a gRPC upstream',
      (f) => (f.upstreams.users.headers = { remove: ['cookie'] }),
      'routes.yaml: upstreams "users": headers: only for http upstreams',
    ],
    [
      'a header the gateway sets',
      (f) => (f.upstreams.orders.headers = { add: { Host: 'other' } }),
      'routes.yaml: upstreams "orders": headers.add.Host: "host" is set by the gateway',
    ],
    [
      'a header added twice',
      (f) => (f.upstreams.orders.headers = { add: { 'X-A': '1', 'x-a': '2' } }),
      'routes.yaml: upstreams "orders": headers.add.x-a: "x-a" is given twice (names ignore case)',
    ],
    [
      'a header added and removed',
      (f) => (f.upstreams.orders.headers = { add: { 'X-A': '1' }, remove: ['cookie', 'x-a'] }),
      'routes.yaml: upstreams "orders": headers.remove[1]: "x-a" is also added',
    ],
    [
      'a connect timeout on a gRPC upstream',
      (f) => (f.upstreams.users.traffic!.connectTimeoutMs = 500),
      'routes.yaml: upstreams "users": traffic.connectTimeoutMs: only for http upstreams',
    ],
    [
      'keepalive pings on an HTTP upstream',
      (f) => (f.upstreams.orders.traffic = { keepalive: { timeMs: 1000 } }),
      'routes.yaml: upstreams "orders": traffic.keepalive: only for grpc upstreams',
    ],
    [
      'an HTTP upstream without URLs',
      (f) => delete f.upstreams.orders.urls,
      'routes.yaml: upstreams "orders": urls: required for http upstreams',
    ],
    [
      'a gRPC upstream without a target',
      (f) => delete f.upstreams.users.target,
      'routes.yaml: upstreams "users": target: required for grpc upstreams',
    ],
    [
      'a gRPC upstream without protos',
      (f) => delete f.upstreams.users.protos,
      'routes.yaml: upstreams "users": protos: required for grpc upstreams',
    ],
    [
      'scopes without jwt',
      (f) => (f.routes[2].auth = { scheme: 'api-key', scopes: ['users.verify'] }),
      'routes.yaml: routes[2] "verify": auth.scopes: only with scheme jwt (got api-key)',
    ],
    [
      'a longest ejection shorter than the first',
      (f) => (f.upstreams.orders.traffic!.outlier = { baseEjectionMs: 5000, maxEjectionMs: 1000 }),
      'routes.yaml: upstreams "orders": traffic.outlier.maxEjectionMs: must be at least baseEjectionMs',
    ],
    [
      'an unknown field',
      (f) => (f.routes[0].timeoutMS = 100),
      'routes.yaml: routes[0] "orders-list": timeoutMS: unknown field',
    ],
    [
      'a number out of range',
      (f) => (f.upstreams.orders.traffic!.retry!.maxAttempts = 9),
      'routes.yaml: upstreams "orders": traffic.retry.maxAttempts: expected at most 5 (got 9)',
    ],
    [
      'a fraction where an integer belongs',
      (f) => (f.routes[1].timeoutMs = 1.5),
      'routes.yaml: routes[1] "order": timeoutMs: expected an integer (got 1.5)',
    ],
    [
      'a string where a number belongs',
      (f) => (f.routes[2].rateLimit!.limit = '20'),
      'routes.yaml: routes[2] "verify": rateLimit.limit: expected a number (got "20")',
    ],
    [
      'a required field left out',
      (f) => delete f.routes[1].match.methods,
      'routes.yaml: routes[1] "order": match.methods: required',
    ],
    [
      'an empty list of methods',
      (f) => (f.routes[1].match.methods = []),
      'routes.yaml: routes[1] "order": match.methods: expected at least 1 item',
    ],
    [
      'an unknown method',
      (f) => (f.routes[1].match.methods = ['FETCH']),
      'routes.yaml: routes[1] "order": match.methods[0]: expected "GET" or "HEAD" or "POST" or "PUT" or "PATCH" or "DELETE" or "OPTIONS" (got "FETCH")',
    ],
    [
      'a path without its leading slash',
      (f) => (f.routes[2].match.path = { exact: 'verify' }),
      'routes.yaml: routes[2] "verify": match.path.exact: expected a path starting with "/" (got "verify")',
    ],
    [
      'a path with a dot segment',
      (f) => (f.routes[0].match.path = { prefix: '/api/../admin' }),
      'routes.yaml: routes[0] "orders-list": match.path.prefix: expected a path without empty, "." or ".." segments (got "/api/../admin")',
    ],
    [
      'a template variable that is not a whole segment',
      (f) => (f.routes[1].match.path = { template: '/api/orders/v{id}' }),
      'routes.yaml: routes[1] "order": match.path.template: expected URL path characters and whole-segment {variables} (bad segment "v{id}") (got "/api/orders/v{id}")',
    ],
    [
      'a template variable twice',
      (f) => (f.routes[1].match.path = { template: '/{id}/x/{id}' }),
      'routes.yaml: routes[1] "order": match.path.template: variable {id} appears twice (got "/{id}/x/{id}")',
    ],
    [
      'two kinds of path at once',
      (f) => (f.routes[1].match.path = { exact: '/a', prefix: '/b' }),
      'routes.yaml: routes[1] "order": match.path: expected exactly one of exact, prefix, template',
    ],
    [
      'a host with a port',
      (f) => (f.routes[0].match.hosts = ['api.example.com:8443']),
      'routes.yaml: routes[0] "orders-list": match.hosts[0]: expected a host name, or *.<domain> for any name below it (got "api.example.com:8443")',
    ],
    [
      'an https upstream URL',
      (f) => (f.upstreams.orders.urls = ['https://orders:8443']),
      'routes.yaml: upstreams "orders": urls[0]: expected an http:// URL without query or fragment (got "https://orders:8443")',
    ],
    [
      'a bad upstream name',
      (f) => (f.upstreams['Order Service'] = f.upstreams.orders),
      'routes.yaml: upstreams "Order Service": bad name: expected 1-63 lower-case letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
    ],
    [
      'an unknown kind of upstream',
      (f) => (f.upstreams.orders.kind = 'tcp'),
      'routes.yaml: upstreams "orders": kind: expected "http" or "grpc" (got "tcp")',
    ],
    [
      'a route without a name',
      (f) => delete f.routes[0].name,
      'routes.yaml: routes[0]: name: required',
    ],
    [
      'another format version',
      (f) => (f.formatVersion = 2),
      'routes.yaml: formatVersion: expected 1 (got 2)',
    ],
    [
      'a proto file that does not exist',
      (f) => (f.upstreams.users.protos = ['proto/users.proto']),
      `routes.yaml: upstreams "users": protos[0]: no such file ${join(REPO_ROOT, 'proto/users.proto')}`,
    ],
    [
      'a proto file that does not parse',
      (f) => (f.upstreams.users.protos = ['docs/examples/routes.yaml']),
      `routes.yaml: upstreams "users": protos: illegal token '#' (${join(REPO_ROOT, 'docs/examples/routes.yaml')}, line 1)`,
    ],
    [
      'a gRPC service the protos lack',
      (f) => (f.routes[2].grpc = { service: 'userverify.Users', method: 'VerifyUser' }),
      'routes.yaml: routes[2] "verify": grpc.service: no service "userverify.Users" in the protos of "users"',
    ],
    [
      'a gRPC method the service lacks',
      (f) => (f.routes[2].grpc = { service: 'userverify.UserVerify', method: 'verifyUser' }),
      'routes.yaml: routes[2] "verify": grpc.method: "userverify.UserVerify" has no method "verifyUser"',
    ],
    [
      'a body schema that is no map',
      (f) => (f.routes[1].bodySchema = 'object'),
      'routes.yaml: routes[1] "order": bodySchema: expected a map (got "object")',
    ],
    [
      'a body schema with a misspelt keyword',
      (f) => (f.routes[1].bodySchema = { type: 'string', minLenght: 1 }),
      'routes.yaml: routes[1] "order": bodySchema: cannot be compiled: strict mode: unknown keyword: "minLenght"',
    ],
    [
      'a body schema that is not JSON Schema',
      (f) => (f.routes[1].bodySchema = { type: 'text' }),
      'routes.yaml: routes[1] "order": bodySchema: cannot be compiled: schema is invalid: data/type must be equal to one of the allowed values, data/type must be array, data/type must match a schema in anyOf',
    ],
    [
      'a body schema with an unknown format',
      (f) => (f.routes[1].bodySchema = { type: 'string', format: 'colour' }),
      'routes.yaml: routes[1] "order": bodySchema: cannot be compiled: unknown format "colour" ignored in schema at path "#"',
    ],
    [
      'a body schema with a remote $ref',
      (f) =>
        (f.routes[1].bodySchema = {
          type: 'object',
          properties: { item: { $ref: 'https://schemas.example.com/sku.json' } },
        }),
      'routes.yaml: routes[1] "order": bodySchema: $ref must be local (#/...), not "https://schemas.example.com/sku.json"',
    ],
  ])('names the file, the route or upstream and the field of %s in one line', (_, change, line) => {
    expect(errorOf(change)).toBe(line);
  });

  it('reports every problem at once, one line each', () => {
    const message = errorOf((f) => {
      f.routes[1].upstream = 'order-svc';
      f.routes[2].name = 'order';
    });
    expect(message.split('\n')).toEqual([
      'routes.yaml: routes[1] "order": upstream: no upstream named "order-svc"',
      'routes.yaml: routes[2] "order": name: "order" is also the name of routes[1]',
    ]);
  });

  it('accepts routes that differ only in host or method', () => {
    const file = validFile();
    file.routes.push(
      {
        ...file.routes[0],
        name: 'orders-other-host',
        match: { ...file.routes[0].match, hosts: ['www.example.com'] },
      },
      {
        ...file.routes[2],
        name: 'verify-put',
        match: { methods: ['PUT'], path: { exact: '/verify' } },
      },
    );
    expect(parse(stringify(file)).routes.map((route) => route.name)).toContain('verify-put');
  });

  it.each([
    [
      'a YAML syntax error',
      'formatVersion: 1\nroutes: [\n',
      'routes.yaml: line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'a key twice',
      'formatVersion: 1\nformatVersion: 1\n',
      'routes.yaml: line 2, column 1: Map keys must be unique',
    ],
    [
      'a key twice in JSON',
      '{"formatVersion": 1, "formatVersion": 1}',
      'routes.yaml: line 1, column 22: Map keys must be unique',
    ],
    ['a document that is no map', '- a\n', 'routes.yaml: expected a map'],
    ['an empty file', '# nothing yet\n', 'routes.yaml: the file is empty'],
  ])('names the place of %s', (_, content, line) => {
    let error: unknown;
    try {
      parse(content);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(line);
  });
});

describe('parseRouteFileValue', () => {
  it('builds from a value the table its file builds from text', () => {
    expect(parseRouteFileValue(validFile(), SOURCE, TEST_DEFAULTS)).toEqual(
      parse(stringify(validFile())),
    );
  });

  it('refuses by the same rules, with the same lines', () => {
    const file = validFile();
    file.routes[0].upstream = 'nowhere';
    expect(() => parseRouteFileValue(file, SOURCE, TEST_DEFAULTS)).toThrow(ConfigError);
    expect(() => parseRouteFileValue(file, SOURCE, TEST_DEFAULTS)).toThrow(
      errorOf((f) => (f.routes[0].upstream = 'nowhere')),
    );
  });
});
