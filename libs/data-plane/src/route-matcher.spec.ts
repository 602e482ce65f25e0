import type { HttpMethod, PathMatch, Route } from '@app/routes';
import { RouteMatcher } from './route-matcher';

function route(name: string, methods: HttpMethod[], path: PathMatch): Route {
  return {
    name,
    match: { methods, path, hosts: [], headers: [], query: [] },
    order: 0,
    upstream: 'u',
    grpc: null,
    auth: { scheme: 'none', scopes: [] },
    rateLimit: null,
    timeoutMs: 1000,
    retry: { idempotent: false, maxAttempts: 1, perTryTimeoutMs: 900 },
    bodyLimitBytes: 1024,
    bodySchema: null,
  };
}

const rule = (path: string, variables: string[]): PathMatch => ({
  kind: 'http-rule',
  path,
  variables,
});

const matcher = new RouteMatcher(
  [
    route('get-shelf', ['GET'], rule('/v1/shelves/{shelf}', ['shelf'])),
    route('archive', ['POST'], rule('/v1/shelves/{shelf}:archive', ['shelf'])),
    route('update', ['POST'], rule('/v1/shelves/{shelf}', ['shelf'])),
    route('get-book', ['GET'], rule('/v1/{name=shelves/*/books/*}', ['name'])),
    route('any-book', ['GET'], rule('/v1/books/{name=**}', ['name'])),
    route('batch', ['POST'], rule('/v1/books:batchGet', [])),
    route('explicit', ['PUT'], { kind: 'template', path: '/v1/shelves/{id}', variables: ['id'] }),
  ].map((r) => ({ route: r, target: r.name })),
);

const find = (method: string, path: string) => matcher.find(method, path, undefined);

describe('RouteMatcher with google.api.http templates', () => {
  it.each([
    ['GET', '/v1/shelves/7', 'get-shelf', { shelf: '7' }],
    ['GET', '/v1/shelves/7/', 'get-shelf', { shelf: '7' }],
    ['POST', '/v1/shelves/7:archive', 'archive', { shelf: '7' }],
    ['POST', '/v1/shelves/7', 'update', { shelf: '7' }],
    ['GET', '/v1/shelves/1/books/2', 'get-book', { name: 'shelves/1/books/2' }],
    ['GET', '/v1/books/a/b/c', 'any-book', { name: 'a/b/c' }],
    ['GET', '/v1/books', 'any-book', { name: '' }],
    ['POST', '/v1/books:batchGet', 'batch', {}],
    ['PUT', '/v1/shelves/9', 'explicit', { id: '9' }],
  ])('%s %s -> %s', (method, path, target, params) => {
    expect(find(method, path)).toEqual({ target, params });
  });

  it("with methodMiss 'not-found' (the Gateway API's tables), a method no route of the path takes is a 404", () => {
    const entries = [route('get-shelf', ['GET'], rule('/v1/shelves/{shelf}', ['shelf']))].map(
      (r) => ({ route: r, target: r.name }),
    );
    const strict = new RouteMatcher(entries, { methodMiss: 'not-found' });
    expect(strict.find('DELETE', '/v1/shelves/7', undefined)).toEqual({ allowed: [] });
    expect(strict.find('GET', '/v1/shelves/7', undefined)).toEqual({
      target: 'get-shelf',
      params: { shelf: '7' },
    });
  });

  it('a path the coarse router takes but the template does not is a 404, or a 405 naming the methods that take it', () => {
    expect(find('GET', '/v1/shelves/1/boxes/2')).toEqual({ allowed: [] });
    expect(find('POST', '/v1/books:batchPut')).toEqual({ allowed: [] });
    expect(find('DELETE', '/v1/shelves/7')).toEqual({ allowed: ['GET', 'POST', 'PUT'] });
  });

  it("a last segment ending in a verb of the table is that verb's: verb-less rules do not take it", () => {
    expect(find('GET', '/v1/shelves/7:archive')).toEqual({ allowed: ['POST', 'PUT'] });
    expect(find('GET', '/v1/shelves/7:archive/')).toEqual({ allowed: ['POST', 'PUT'] });
    // A verb no rule has is part of the variable; a route of the file is not a rule.
    expect(find('GET', '/v1/shelves/7:other')).toEqual({
      target: 'get-shelf',
      params: { shelf: '7:other' },
    });
    expect(find('PUT', '/v1/shelves/7:archive')).toEqual({
      target: 'explicit',
      params: { id: '7:archive' },
    });
  });

  it('finds no route for a malformed percent-encoding, as for any route', () => {
    expect(find('GET', '/v1/shelves/%zz')).toEqual({ allowed: [] });
    expect(find('GET', '/v1/books/a%zz')).toEqual({ allowed: [] });
  });
});

describe('RouteMatcher with Gateway API listener hostnames (Route.listenerHost)', () => {
  // The objects of conformance GatewayHTTPListenerIsolation: four listeners on one port, a route
  // on each, each taking its own path prefix and every host its listener takes.
  const listenerRoute = (listenerHost: string | undefined, prefix: string, hosts: string[]) => ({
    ...route(prefix, ['GET'], { kind: 'prefix', path: `/${prefix}` }),
    match: {
      methods: ['GET' as const],
      path: { kind: 'prefix' as const, path: `/${prefix}` },
      hosts,
      headers: [],
      query: [],
    },
    ...(listenerHost === undefined ? {} : { listenerHost }),
  });
  const isolated = new RouteMatcher(
    [
      listenerRoute(undefined, 'empty-hostname', []),
      listenerRoute('*.example.com', 'wildcard-example-com', ['*.example.com']),
      listenerRoute('*.foo.example.com', 'wildcard-foo-example-com', ['*.foo.example.com']),
      listenerRoute('abc.foo.example.com', 'abc-foo-example-com', ['abc.foo.example.com']),
    ].map((r) => ({ route: r, target: r.name })),
    { methodMiss: 'not-found' },
  );
  const served = (host: string, path: string) => {
    const found = isolated.find('GET', path, host);
    return 'target' in found ? found.target : null;
  };

  it("matches only the most specific listener's routes: another listener's path is a 404", () => {
    const paths = [
      '/empty-hostname',
      '/wildcard-example-com',
      '/wildcard-foo-example-com',
      '/abc-foo-example-com',
    ];
    const table = (host: string) => paths.map((path) => served(host, path));
    expect(table('bar.com')).toEqual(['empty-hostname', null, null, null]);
    expect(table('bar.example.com')).toEqual([null, 'wildcard-example-com', null, null]);
    expect(table('bar.foo.example.com')).toEqual([null, null, 'wildcard-foo-example-com', null]);
    expect(table('abc.foo.example.com:80')).toEqual([null, null, null, 'abc-foo-example-com']);
  });

  it('without a listener for no hostname, a Host no listener takes matches nothing', () => {
    const named = new RouteMatcher(
      [listenerRoute('a.example.com', 'a', ['a.example.com'])].map((r) => ({
        route: r,
        target: r.name,
      })),
    );
    expect(named.find('GET', '/a', 'a.example.com')).toMatchObject({ target: 'a' });
    expect(named.find('GET', '/a', 'b.example.com')).toEqual({ allowed: [] });
  });
});
