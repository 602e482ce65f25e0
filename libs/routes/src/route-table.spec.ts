import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseRouteFile } from './parse-route-file';
import { REPO_ROOT, TEST_DEFAULTS, type TestFile, validFile } from './route-file.fixture';
import { createRouteTable } from './route-table';

const SOURCE = { name: 'routes.yaml', baseDir: REPO_ROOT };
const versionOf = (file: TestFile, write: (value: unknown) => string = stringify) =>
  parseRouteFile(write(file), SOURCE, TEST_DEFAULTS).version;

describe('route table version', () => {
  const base = versionOf(validFile());

  it('is the same for the same content, however it is written or ordered', () => {
    const reordered = validFile();
    reordered.routes.reverse();
    reordered.upstreams = { users: reordered.upstreams.users, orders: reordered.upstreams.orders };
    reordered.routes[2].match.methods = ['GET', 'HEAD', 'GET'];
    reordered.routes[0].match.path = { exact: '/verify' };
    reordered.upstreams.orders.headers = {
      add: { 'x-env': 'test', 'x-gateway': 'edge' },
      remove: ['X-Debug', 'cookie'],
    };
    expect(versionOf(reordered)).toBe(base);
    expect(versionOf(validFile(), (value) => JSON.stringify(value))).toBe(base);
    expect(versionOf(validFile())).toBe(base);
  });

  it('is a SHA-256 of the content', () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each<[string, (file: TestFile) => void]>([
    ['a method', (f) => (f.routes[1].match.methods = ['PATCH'])],
    ['a path', (f) => (f.routes[1].match.path = { template: '/api/orders/{id}/items' })],
    ['a path kind', (f) => (f.routes[0].match.path = { exact: '/api/orders' })],
    ['a host', (f) => f.routes[0].match.hosts!.push('b.example.com')],
    ['a route name', (f) => (f.routes[1].name = 'order-2')],
    ['a scope', (f) => f.routes[0].auth!.scopes!.push('orders.admin')],
    ['a rate limit', (f) => (f.routes[0].rateLimit!.limit = 51)],
    ['a timeout', (f) => (f.routes[1].timeoutMs = 1001)],
    ['idempotency', (f) => (f.routes[1].retry = { ...f.routes[1].retry, idempotent: false })],
    ['a body limit', (f) => (f.routes[1].bodyLimitBytes = 4097)],
    ['an upstream URL', (f) => (f.upstreams.orders.urls![1] = 'http://orders-c:8080')],
    ['a header value', (f) => (f.upstreams.orders.headers!.add!['X-Gateway'] = 'edge-2')],
    ['a rewrite', (f) => (f.upstreams.orders.rewrite!.replacement = '/v3/orders')],
    ['a traffic setting', (f) => (f.upstreams.users.traffic!.breaker!.resetTimeoutMs = 1001)],
    ['a gRPC target', (f) => (f.upstreams.users.target = 'dns:///users:6001')],
    ['a gRPC option', (f) => (f.upstreams.users.httpRulesFromProtos = false)],
    [
      'a route more',
      (f) =>
        f.routes.push({
          ...f.routes[1],
          name: 'x',
          match: { methods: ['GET'], path: { exact: '/x' } },
        }),
    ],
  ])('changes with %s', (_, change) => {
    const file = validFile();
    change(file);
    expect(versionOf(file)).not.toBe(base);
  });

  it('changes with the content of a listed .proto file, and only with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'route-table-'));
    try {
      const proto = join(dir, 'users.proto');
      const original = readFileSync(join(REPO_ROOT, 'proto/userverify.proto'), 'utf8');
      writeFileSync(proto, original);
      const file = validFile();
      file.upstreams.users.protos = [proto];
      const at = () =>
        parseRouteFile(stringify(file), { name: 'routes.yaml', baseDir: dir }, TEST_DEFAULTS)
          .version;
      const before = at();
      expect(at()).toBe(before);
      writeFileSync(proto, `${original}\n// an edit: new messages may follow\n`);
      expect(at()).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('changes with a default the file leaves to the gateway', () => {
    const defaults = { ...TEST_DEFAULTS, bodyLimitBytes: TEST_DEFAULTS.bodyLimitBytes + 1 };
    expect(parseRouteFile(stringify(validFile()), SOURCE, defaults).version).not.toBe(base);
  });
});

describe('createRouteTable', () => {
  it('lists upstreams and routes by name, whatever their order', () => {
    const table = parseRouteFile(stringify(validFile()), SOURCE, TEST_DEFAULTS);
    const again = createRouteTable({
      upstreams: [...table.upstreams].reverse(),
      routes: [...table.routes].reverse(),
    });
    // The table's version also covers its .proto files' contents, which only the file's reader hashes.
    // createRouteTable lists what it is given as skipped; only the file's reader finds them.
    expect(again).toEqual({ ...table, skipped: [], version: expect.stringMatching(/^sha256:/) });
    expect(again.routes.map((route) => route.name)).toEqual(['order', 'orders-list', 'verify']);
  });
});
