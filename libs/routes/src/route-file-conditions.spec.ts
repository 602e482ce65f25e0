import { ConfigError } from '@app/env';
import { stringify } from 'yaml';
import { parseRouteFile } from './parse-route-file';
import { REPO_ROOT, TEST_DEFAULTS, type TestFile, validFile } from './route-file.fixture';

// Header and query conditions, the order of routes that differ by them, and strict exact paths:
// what the route file accepts, refuses, and builds.
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

/** The valid file with three more routes on GET /tenants: by header, by query, and neither. */
function tenantsFile(): TestFile {
  const file = validFile();
  const on = { methods: ['GET'], path: { exact: '/tenants' } };
  file.routes.push(
    {
      name: 'tenants-blue',
      match: { ...on, headers: { 'X-Tenant': 'blue', accept: 'application/json' } },
      upstream: 'orders',
    },
    { name: 'tenants-v2', match: { ...on, query: { version: '2' } }, upstream: 'orders' },
    { name: 'tenants', match: on, upstream: 'orders' },
  );
  return file;
}

describe('route file header and query conditions', () => {
  it('builds them sorted by name, header names lower case, query names as written', () => {
    const route = parse(tenantsFile()).routes.find((r) => r.name === 'tenants-blue');
    expect(route?.match.headers).toEqual([
      { name: 'accept', value: 'application/json' },
      { name: 'x-tenant', value: 'blue' },
    ]);
    expect(route?.match.query).toEqual([]);
    const v2 = parse(tenantsFile()).routes.find((r) => r.name === 'tenants-v2');
    expect(v2?.match.query).toEqual([{ name: 'version', value: '2' }]);
  });

  it('leaves a route without them unconditioned', () => {
    const route = parse(validFile()).routes.find((r) => r.name === 'order');
    expect(route?.match).toMatchObject({ headers: [], query: [] });
  });

  it('orders routes by more header conditions, then more query conditions, then name', () => {
    const { routes } = parse(tenantsFile());
    const byOrder = [...routes].sort((a, b) => a.order - b.order).map((r) => r.name);
    expect(byOrder.slice(0, 2)).toEqual(['tenants-blue', 'tenants-v2']);
    // The rest, without conditions, by name; each route's order is its own.
    expect(byOrder.slice(2)).toEqual(byOrder.slice(2).sort());
    expect(new Set(routes.map((r) => r.order)).size).toBe(routes.length);
  });

  it('gives the same table for the same conditions written in another order or case', () => {
    const other = tenantsFile();
    other.routes[3].match.headers = { Accept: 'application/json', 'x-tenant': 'blue' };
    expect(parse(other).version).toBe(parse(tenantsFile()).version);
  });

  it('keeps a generated route behind a file route with conditions on its path', () => {
    const file = validFile();
    // The annotated POST /verify of rpc-app-1's proto is generated; this route takes only some.
    file.routes[2].match.headers = { 'x-canary': '1' };
    const names = parse(file).routes.map((r) => r.name);
    expect(names).toContain('verify');
    expect(names).toContain('users.verifyuser');
  });

  it.each<[string, (file: TestFile) => void, string]>([
    [
      'two routes with the same conditions',
      (f) => {
        const blue = tenantsFile().routes[3];
        f.routes.push(blue, {
          ...blue,
          name: 'tenants-blue-2',
          match: { ...blue.match, headers: { accept: 'application/json', 'x-tenant': 'blue' } },
        });
      },
      'routes.yaml: routes[4] "tenants-blue-2": match: GET exact /tenants (any host) with the same headers and query is already routed by routes[3] "tenants-blue"',
    ],
    [
      'a header named twice in two cases',
      (f) => (f.routes[2].match.headers = { 'X-Tenant': 'a', 'x-tenant': 'b' }),
      'routes.yaml: routes[2] "verify": match.headers.x-tenant: "x-tenant" is given twice (names ignore case)',
    ],
    [
      'a host header',
      (f) => (f.routes[2].match.headers = { Host: 'example.com' }),
      'routes.yaml: routes[2] "verify": match.headers.Host: match the host with hosts',
    ],
    [
      'a header value with whitespace around it',
      (f) => (f.routes[2].match.headers = { 'x-tenant': ' blue' }),
      'routes.yaml: routes[2] "verify": match.headers.x-tenant: expected a header value on one line, without leading or trailing whitespace (got " blue")',
    ],
    [
      'a header name that is no token',
      (f) => (f.routes[2].match.headers = { 'x tenant': 'blue' }),
      'routes.yaml: routes[2] "verify": match.headers.x tenant: bad name: expected an HTTP header name',
    ],
    [
      'an empty query value',
      (f) => (f.routes[2].match.query = { version: '' }),
      'routes.yaml: routes[2] "verify": match.query.version: expected at least 1 (got "")',
    ],
    [
      'a strict trailing slash on a template',
      (f) => (f.routes[1].match.path.trailingSlash = 'strict'),
      'routes.yaml: routes[1] "order": match.path.trailingSlash: only with exact or prefix',
    ],
    [
      'a strict exact path beside the same path ignoring its slash',
      (f) =>
        f.routes.push({
          ...f.routes[2],
          name: 'verify-strict',
          match: { methods: ['POST'], path: { exact: '/verify/', trailingSlash: 'strict' } },
        }),
      'routes.yaml: routes[3] "verify-strict": match: POST exact /verify/ (any host) is already routed by routes[2] "verify"',
    ],
  ])('refuses %s, naming the field', (_, change, line) => {
    expect(errorOf(change)).toBe(line);
  });
});

describe('route file strict exact paths', () => {
  it('keep the path as written, trailing slash included; others drop it', () => {
    const file = validFile();
    file.routes[2].match.path = { exact: '/verify/', trailingSlash: 'strict' };
    const strict = parse(file).routes.find((r) => r.name === 'verify');
    expect(strict?.match.path).toEqual({
      kind: 'exact',
      path: '/verify/',
      trailingSlash: 'strict',
    });
    const ignoring = parse(validFile()).routes.find((r) => r.name === 'verify');
    expect(ignoring?.match.path).toEqual({
      kind: 'exact',
      path: '/verify',
      trailingSlash: 'ignore',
    });
  });
});

describe('route file schemes', () => {
  const on = { methods: ['GET'], path: { exact: '/cart' } };

  it('builds an http and an https route of one path apart, and no scheme as either', () => {
    const file = validFile();
    file.routes.push(
      { name: 'cart-plain', match: { ...on, scheme: 'http' }, upstream: 'orders' },
      { name: 'cart', match: { ...on, scheme: 'https' }, upstream: 'orders' },
    );
    const table = parse(file);
    const schemeOf = (name: string) => table.routes.find((r) => r.name === name)?.match.scheme;
    expect([schemeOf('cart-plain'), schemeOf('cart')]).toEqual(['http', 'https']);
    expect(table.routes.find((r) => r.name === file.routes[0].name)?.match).not.toHaveProperty(
      'scheme',
    );
  });

  it('refuses a route of no scheme beside one of a scheme on the same path, and an unknown scheme', () => {
    expect(
      errorOf((file) =>
        file.routes.push(
          { name: 'cart-any', match: on, upstream: 'orders' },
          { name: 'cart', match: { ...on, scheme: 'https' }, upstream: 'orders' },
        ),
      ),
    ).toContain('GET exact /cart (any host) is already routed by');
    expect(
      errorOf((file) =>
        file.routes.push({ name: 'cart', match: { ...on, scheme: 'ftp' }, upstream: 'orders' }),
      ),
    ).toContain('scheme');
  });
});
