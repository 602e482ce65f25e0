import type { HttpMethod, NameValue, PathMatch, Route } from '@app/routes';
import { RouteMatcher } from './route-matcher';
import * as pathOrder from './router-path-order';

interface Spec {
  methods?: HttpMethod[];
  path: PathMatch;
  headers?: NameValue[];
  query?: NameValue[];
  hosts?: string[];
  order?: number;
}

/** The matcher reads a route's match and order only. */
function route(name: string, spec: Spec): Route {
  return {
    name,
    match: {
      methods: spec.methods ?? ['GET'],
      path: spec.path,
      hosts: spec.hosts ?? [],
      headers: spec.headers ?? [],
      query: spec.query ?? [],
    },
    order: spec.order ?? 0,
  } as unknown as Route;
}

const exact = (path: string, trailingSlash: 'ignore' | 'strict' = 'ignore'): PathMatch => ({
  kind: 'exact',
  path,
  trailingSlash,
});
const prefix = (path: string): PathMatch => ({ kind: 'prefix', path });
const template = (path: string): PathMatch => ({
  kind: 'template',
  path,
  variables: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
});
const h = (name: string, value: string): NameValue => ({ name, value });

function matcherOf(routes: Route[]) {
  const matcher = new RouteMatcher(routes.map((r) => ({ route: r, target: r.name })));
  return (
    method: string,
    path: string,
    headers: Record<string, string | string[]> = {},
    query = '',
    host?: string,
  ) => {
    const found = matcher.find(method, path, host, headers, query);
    return 'target' in found ? found.target : found;
  };
}

describe('RouteMatcher with header and query conditions', () => {
  // Orders as the route file gives them: more headers, more query, then name.
  const find = matcherOf([
    route('blue', { path: exact('/tenants'), headers: [h('x-tenant', 'blue')], order: 1 }),
    route('blue-json', {
      path: exact('/tenants'),
      headers: [h('accept', 'application/json'), h('x-tenant', 'blue')],
      order: 0,
    }),
    route('v2', { path: exact('/tenants'), query: [h('version', '2')], order: 2 }),
    route('tenants', { path: exact('/tenants'), order: 3 }),
    route('orders-gold', { path: template('/orders/{id}'), query: [h('tier', 'gold')], order: 4 }),
    route('orders', { path: template('/orders/{id}'), order: 5 }),
  ]);

  it('takes a header-matched route when the header has its value, the other route otherwise', () => {
    expect(find('GET', '/tenants', { 'x-tenant': 'blue' })).toBe('blue');
    expect(find('GET', '/tenants', { 'x-tenant': 'green' })).toBe('tenants');
    expect(find('GET', '/tenants', { 'x-tenant': 'Blue' })).toBe('tenants');
    expect(find('GET', '/tenants')).toBe('tenants');
  });

  it('requires all the conditions of a route, and tries the route with more of them first', () => {
    expect(find('GET', '/tenants', { 'x-tenant': 'blue', accept: 'application/json' })).toBe(
      'blue-json',
    );
    expect(find('GET', '/tenants', { accept: 'application/json' })).toBe('tenants');
    // Both hold: header conditions go before query conditions.
    expect(find('GET', '/tenants', { 'x-tenant': 'blue' }, '?version=2')).toBe('blue');
  });

  it('compares a header sent on several lines as its values joined, so neither alone matches', () => {
    // Node joins a repeated field with ", " (set-cookie stays a list): RFC 9110 section 5.3.
    expect(find('GET', '/tenants', { 'x-tenant': 'blue, green' })).toBe('tenants');
    expect(find('GET', '/tenants', { 'x-tenant': ['blue', 'green'] })).toBe('tenants');
    expect(find('GET', '/tenants', { 'x-tenant': ['blue'] })).toBe('blue');
  });

  it('reads query parameters decoded, with or without the "?", a repeated one by its first value', () => {
    expect(find('GET', '/tenants', {}, '?version=2')).toBe('v2');
    expect(find('GET', '/tenants', {}, 'version=2')).toBe('v2');
    expect(find('GET', '/tenants', {}, '?a=1&version=%32')).toBe('v2');
    expect(find('GET', '/tenants', {}, '?version=2&version=3')).toBe('v2');
    expect(find('GET', '/tenants', {}, '?version=3&version=2')).toBe('tenants');
    // Names are case-sensitive.
    expect(find('GET', '/tenants', {}, '?Version=2')).toBe('tenants');
  });

  it('gives the template variables of whichever route takes the request', () => {
    const matcher = new RouteMatcher(
      [
        route('orders-gold', { path: template('/orders/{id}'), query: [h('tier', 'gold')] }),
        route('orders', { path: template('/orders/{id}'), order: 1 }),
      ].map((r) => ({ route: r, target: r.name })),
    );
    expect(matcher.find('GET', '/orders/7', undefined, {}, '?tier=gold')).toEqual({
      target: 'orders-gold',
      params: { id: '7' },
    });
    expect(find('GET', '/orders/7', {}, '?tier=silver')).toBe('orders');
  });

  it('names in a 405 only the methods whose routes take the request, conditions included', () => {
    const only = matcherOf([
      route('blue', { methods: ['GET'], path: exact('/x'), headers: [h('x-tenant', 'blue')] }),
      route('post', { methods: ['POST'], path: exact('/x') }),
    ]);
    expect(only('GET', '/x', { 'x-tenant': 'blue' })).toBe('blue');
    expect(only('GET', '/x')).toEqual({ allowed: ['POST'] });
    expect(only('DELETE', '/x', { 'x-tenant': 'blue' })).toEqual({ allowed: ['GET', 'POST'] });
    expect(only('HEAD', '/x', { 'x-tenant': 'blue' })).toBe('blue');
  });
});

describe('RouteMatcher precedence', () => {
  it('tries the routes of one path by order, whatever their names', () => {
    const routes = (first: number, second: number) =>
      matcherOf([
        route('a', { path: exact('/p'), headers: [h('x', '1')], order: first }),
        route('b', { path: exact('/p'), query: [h('q', '1')], order: second }),
      ]);
    expect(routes(0, 1)('GET', '/p', { x: '1' }, 'q=1')).toBe('a');
    expect(routes(1, 0)('GET', '/p', { x: '1' }, 'q=1')).toBe('b');
  });

  it('puts a more specific path before any order: exact, then template, then the longer prefix', () => {
    const find = matcherOf([
      route('api', { path: prefix('/api'), headers: [h('x', '1')], order: 0 }),
      route('api-v2', { path: prefix('/api/v2'), order: 9 }),
      route('item', { path: template('/api/{name}'), order: 8 }),
      route('status', { path: exact('/api/status'), order: 7 }),
    ]);
    expect(find('GET', '/api/v2/x', { x: '1' })).toBe('api-v2');
    expect(find('GET', '/api/status', { x: '1' })).toBe('status');
    expect(find('GET', '/api/other', { x: '1' })).toBe('item');
    expect(find('GET', '/api/a/b', { x: '1' })).toBe('api');
  });

  it('takes an exact path before a prefix of the same path, whatever their order', () => {
    const find = matcherOf([
      route('a-prefix', { path: prefix('/same'), order: 0 }),
      route('b-exact', { path: exact('/same'), order: 1 }),
    ]);
    expect(find('GET', '/same')).toBe('b-exact');
    expect(find('GET', '/same/x')).toBe('a-prefix');
  });

  it('goes on to the next less specific path when no route of the most specific one takes the request', () => {
    const find = matcherOf([
      route('v2-beta', { path: prefix('/api/v2'), headers: [h('x-beta', '1')], order: 0 }),
      route('api-canary', { path: prefix('/api'), headers: [h('x-canary', '1')], order: 1 }),
      route('status-blue', { path: exact('/api/v2/status'), query: [h('t', 'blue')], order: 2 }),
      route('item-gold', { path: template('/api/v2/{item}'), query: [h('tier', 'gold')] }),
      route('all', { path: prefix('/'), order: 4 }),
    ]);
    expect(find('GET', '/api/v2/x', { 'x-beta': '1' })).toBe('v2-beta');
    expect(find('GET', '/api/v2/x', { 'x-canary': '1' })).toBe('api-canary');
    expect(find('GET', '/api/v2/x')).toBe('all');
    expect(find('GET', '/api/v2/status', {}, 't=blue')).toBe('status-blue');
    // The exact path's condition fails: the template, then the prefixes, in turn.
    expect(find('GET', '/api/v2/status', {}, 'tier=gold')).toBe('item-gold');
    expect(find('GET', '/api/v2/status', { 'x-beta': '1' })).toBe('v2-beta');
    expect(find('GET', '/api/v2/status', { 'x-canary': '1' })).toBe('api-canary');
    expect(find('GET', '/api/v2/status')).toBe('all');
    expect(find('GET', '/other')).toBe('all');
  });

  it('builds the fall-through of many nested routes with conditions once per set of routes', () => {
    // /s1, /s1/s2, ... each a prefix with a condition: every entry falls through to the shorter
    // ones. Built per way down instead, this table would take factorial time.
    const nested = Array.from({ length: 40 }, (_, i) =>
      route(`n${i + 1}`, {
        path: prefix(Array.from({ length: i + 1 }, (_, j) => `/s${j + 1}`).join('')),
        headers: [h(`x-n${i + 1}`, '1')],
      }),
    );
    const find = matcherOf([...nested, route('all', { path: prefix('/') })]);
    const deep = `${Array.from({ length: 40 }, (_, j) => `/s${j + 1}`).join('')}/x`;
    expect(find('GET', deep, { 'x-n40': '1' })).toBe('n40');
    expect(find('GET', deep, { 'x-n3': '1', 'x-n7': '1' })).toBe('n7');
    expect(find('GET', deep, { 'x-n1': '1' })).toBe('n1');
    expect(find('GET', deep)).toBe('all');
  });

  it('falls through to a route of any host when a named host has none for the request', () => {
    const find = matcherOf([
      route('shop-blue', {
        path: prefix('/'),
        hosts: ['shop.example.com'],
        headers: [h('x', 'b')],
      }),
      route('any', { path: prefix('/') }),
    ]);
    expect(find('GET', '/a', { x: 'b' }, '', 'shop.example.com')).toBe('shop-blue');
    expect(find('GET', '/a', {}, '', 'shop.example.com')).toBe('any');
  });
});

describe('RouteMatcher strict exact paths', () => {
  const find = matcherOf([
    route('strict', { path: exact('/strict', 'strict') }),
    route('slashed', { path: exact('/slashed/', 'strict') }),
    route('ignoring', { path: exact('/ignoring') }),
    route('root', { path: exact('/', 'strict') }),
    route('docs', { path: prefix('/docs') }),
    route('docs-exact', { path: exact('/docs', 'strict') }),
  ]);

  it('take the path only as written', () => {
    expect(find('GET', '/strict')).toBe('strict');
    expect(find('GET', '/strict/')).toEqual({ allowed: [] });
    expect(find('GET', '/slashed/')).toBe('slashed');
    expect(find('GET', '/slashed')).toEqual({ allowed: [] });
    expect(find('GET', '/')).toBe('root');
  });

  it('leave the other paths ignoring one trailing slash', () => {
    expect(find('GET', '/ignoring')).toBe('ignoring');
    expect(find('GET', '/ignoring/')).toBe('ignoring');
  });

  it('leave the path with the other slash to a prefix that takes it', () => {
    expect(find('GET', '/docs')).toBe('docs-exact');
    expect(find('GET', '/docs/')).toBe('docs');
    expect(find('GET', '/docs/x')).toBe('docs');
  });
});

describe('RouteMatcher without conditions', () => {
  it('hands every hit of an exact route the same params object: nothing allocated per request', () => {
    const matcher = new RouteMatcher(
      [route('plain', { path: exact('/plain') })].map((r) => ({ route: r, target: r.name })),
    );
    const first = matcher.find('GET', '/plain', undefined);
    const second = matcher.find('GET', '/plain/', undefined, { 'x-any': '1' }, '?q=1');
    expect('params' in first && 'params' in second && first.params === second.params).toBe(true);
  });
});

describe('RouteMatcher build', () => {
  afterEach(() => jest.restoreAllMocks());

  /**
   * Calls of pathsOverlap to build a table of `n` strict exact paths and `n` prefixes with a
   * condition - every one an entry that may decline, whose fall-through is looked up among the
   * others - and a catch-all under them all.
   */
  function overlapChecks(n: number): number {
    const spy = jest.spyOn(pathOrder, 'pathsOverlap');
    const routes = Array.from({ length: n }, (_, i) => [
      route(`exact-${i}`, { path: exact(`/exact/${i}`, 'strict') }),
      route(`cond-${i}`, { path: prefix(`/cond/${i}`), headers: [h('x', `${i}`)] }),
    ]).flat();
    const find = matcherOf([...routes, route('all', { path: prefix('/') })]);
    expect(find('GET', `/exact/${n - 1}`)).toBe(`exact-${n - 1}`);
    expect(find('GET', `/exact/${n - 1}/`)).toBe('all');
    expect(find('GET', `/cond/${n - 1}/x`, { x: `${n - 1}` })).toBe(`cond-${n - 1}`);
    expect(find('GET', `/cond/${n - 1}/x`)).toBe('all');
    const calls = spy.mock.calls.length;
    spy.mockRestore();
    return calls;
  }

  it('compares each entry that may decline with the paths that overlap it, not with every path', () => {
    // Linear: four times the routes, about four times the checks. Comparing every entry with
    // every route would take sixteen times.
    const small = overlapChecks(50);
    const large = overlapChecks(200);
    expect(small).toBeGreaterThan(0);
    expect(large).toBeLessThan(small * 5);
  });
});
