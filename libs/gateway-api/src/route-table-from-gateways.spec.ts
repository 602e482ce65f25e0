import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import { routeFileSchema } from '../../routes/src/route-file-schema';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from './gateway-api.fixture';
import type { HTTPRoute } from './gateway-api-objects';
import { allocateGatewayPorts, type GatewayPortAllocation } from './gateway-ports';
import { gatewayListenerPorts } from './gateway-services';
import { routeTableFromGateways, routeTablesByGatewayPort } from './route-table-from-gateways';
import { MatchRouteCache, routeTableFromListener } from './route-table-from-listener';
import { translate } from './translate';

const SERVICES = [service('infra', 'a'), service('infra', 'b')];

function routeTo(name: string, parent: string, backend: string, path: string): HTTPRoute {
  return httpRoute(name, {
    parentRefs: [{ name: parent }],
    rules: [
      {
        matches: [{ path: { type: 'PathPrefix', value: path } }],
        backendRefs: [{ name: backend, port: 8080 }],
      },
    ],
  });
}

function tableOf(gateways: ReturnType<typeof gateway>[], routes: HTTPRoute[]) {
  const translation = translate(
    snapshot({ gateways, services: SERVICES, httpRoutes: routes }),
    CONTROLLER,
  );
  return routeTableFromGateways(translation, TEST_DEFAULTS);
}

describe('routeTableFromGateways', () => {
  it("keeps one listener's route names as the listener table has them", () => {
    const { table, unsupported } = tableOf(
      [gateway('gw', [httpListener('http')])],
      [routeTo('shop', 'gw', 'a', '/shop')],
    );
    expect(table.routes.map((route) => route.name)).toEqual(['infra.shop.0.0']);
    expect(table.upstreams).toHaveLength(1);
    expect(unsupported).toEqual([]);
    // A method no route of a path takes is the Gateway API's 404 (no route matches), not a 405.
    expect(table.methodMiss).toBe('not-found');
  });

  it('serves every listener of every Gateway in one table, names qualified by listener, upstreams shared', () => {
    const { table } = tableOf(
      [
        gateway('one', [httpListener('http', { hostname: 'one.example.com' })]),
        gateway('two', [httpListener('http', { hostname: 'two.example.com' })]),
      ],
      [routeTo('shop', 'one', 'a', '/shop'), routeTo('blog', 'two', 'a', '/blog')],
    );
    expect(table.routes.map((route) => [route.name, route.match.hosts])).toEqual([
      ['infra/one/http:infra.shop.0.0', ['one.example.com']],
      ['infra/two/http:infra.blog.0.0', ['two.example.com']],
    ]);
    expect(table.upstreams.map((upstream) => upstream.name)).toHaveLength(1);
  });

  it('orders the routes of an earlier Gateway before a later one where both take a request', () => {
    const { table } = tableOf(
      [gateway('one', [httpListener('http')]), gateway('two', [httpListener('http')])],
      [routeTo('first', 'one', 'a', '/shop'), routeTo('second', 'two', 'b', '/shop')],
    );
    const [first, second] = [
      'infra/one/http:infra.first.0.0',
      'infra/two/http:infra.second.0.0',
    ].map((name) => table.routes.find((route) => route.name === name));
    expect(first?.order).toBeLessThan(second?.order ?? -1);
  });

  it('is deterministic: equal translations, equal versions', () => {
    const build = () =>
      tableOf(
        [gateway('gw', [httpListener('http'), httpListener('other', { port: 8080 })])],
        [routeTo('shop', 'gw', 'a', '/shop')],
      ).table.version;
    expect(build()).toBe(build());
  });

  it('builds an empty table when no Gateway of the class exists', () => {
    const { table } = tableOf([], []);
    expect(table.routes).toEqual([]);
  });
});

describe('routeTableFromGateways with a MatchRouteCache', () => {
  afterEach(() => jest.restoreAllMocks());

  const GATEWAYS = [gateway('gw', [httpListener('http')])];
  /** `n` routes, and one whose second match the route file refuses (a Host header condition). */
  function routes(n: number): HTTPRoute[] {
    return [
      ...Array.from({ length: n }, (_, i) => routeTo(`r${i}`, 'gw', i % 2 ? 'a' : 'b', `/r/${i}`)),
      httpRoute('refused', {
        parentRefs: [{ name: 'gw' }],
        rules: [
          {
            matches: [{ path: { type: 'Exact', value: '/ok' } }],
            backendRefs: [{ name: 'a', port: 8080 }],
          },
          {
            matches: [{ headers: [{ name: 'Host', value: 'a.example.com' }] }],
            backendRefs: [{ name: 'a', port: 8080 }],
          },
        ],
      }),
    ];
  }
  const translationOf = (httpRoutes: HTTPRoute[]) =>
    translate(snapshot({ gateways: GATEWAYS, services: SERVICES, httpRoutes }), CONTROLLER);

  /** The table with the cache, how many route files it checked, and the table without a cache. */
  function build(cache: MatchRouteCache, httpRoutes: HTTPRoute[], defaults = TEST_DEFAULTS) {
    const translation = translationOf(httpRoutes);
    const parse = jest.spyOn(routeFileSchema, 'safeParse');
    const built = routeTableFromGateways(translation, defaults, cache);
    const checked = parse.mock.calls.length;
    parse.mockRestore();
    return { built, checked, uncached: routeTableFromGateways(translation, defaults) };
  }

  it('gives the table a build without it gives, checking each match of the objects once across builds', () => {
    const cache = new MatchRouteCache();
    const first = build(cache, routes(30));
    expect(first.checked).toBe(32);
    expect(first.built).toEqual(first.uncached);
    expect(first.built.unsupported.map((u) => u.reason)).toEqual([
      'infra.refused.1.0: match.headers.host: match the host with hosts',
    ]);

    // The same objects again: nothing is checked again.
    const again = build(cache, routes(30));
    expect(again.checked).toBe(0);
    expect(again.built).toEqual(first.built);

    // A burst of creations, one table each: only the new route is checked.
    for (const n of [31, 32, 33]) {
      const next = build(cache, routes(n));
      expect(next.checked).toBe(1);
      expect(next.built).toEqual(next.uncached);
    }

    // A route changed: its match is another file, checked; the one it was is forgotten after.
    const changed = routes(33).map((route) =>
      route.metadata.name === 'r0' ? routeTo('r0', 'gw', 'b', '/r/zero') : route,
    );
    expect(build(cache, changed).checked).toBe(1);
    expect(build(cache, changed).checked).toBe(0);
    expect(build(cache, routes(33)).checked).toBe(1);
  });

  it('starts over with other defaults', () => {
    const cache = new MatchRouteCache();
    build(cache, routes(3));
    const other = { ...TEST_DEFAULTS, bodyLimitBytes: 4096 };
    const next = build(cache, routes(3), other);
    expect(next.checked).toBe(5);
    expect(next.built).toEqual(next.uncached);
    expect(next.built.table.routes[0].bodyLimitBytes).toBe(4096);
  });
});

describe('routeTablesByGatewayPort', () => {
  function tablesOf(
    gateways: ReturnType<typeof gateway>[],
    routes: HTTPRoute[],
    allocate: (translation: ReturnType<typeof translate>) => GatewayPortAllocation = (t) =>
      allocateGatewayPorts(gatewayListenerPorts(t), {
        range: { from: 20000, to: 20099 },
        avoid: [],
      }),
  ) {
    const translation = translate(
      snapshot({ gateways, services: SERVICES, httpRoutes: routes }),
      CONTROLLER,
    );
    const allocation = allocate(translation);
    return {
      translation,
      allocation,
      tables: routeTablesByGatewayPort(translation, TEST_DEFAULTS, allocation),
    };
  }
  const names = (table: { table: { routes: readonly { name: string }[] } }) =>
    table.table.routes.map((route) => route.name);

  it('keeps two Gateways on port 80 without hostname apart, one table each on its internal port', () => {
    const gateways = [
      gateway('one', [httpListener('http')]),
      gateway('two', [httpListener('http')]),
    ];
    const routes = [routeTo('first', 'one', 'a', '/shop'), routeTo('second', 'two', 'b', '/shop')];
    const { tables, allocation } = tablesOf(gateways, routes);
    const one = allocation.ports.get('infra/one:80');
    const two = allocation.ports.get('infra/two:80');
    expect(one).toBeDefined();
    expect(two).not.toBe(one);
    expect([...tables.keys()]).toEqual([one, two].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(tables.get(one ?? -1)).toMatchObject({
      gateway: { namespace: 'infra', name: 'one' },
      port: 80,
      internalPort: one,
    });
    expect(names(tables.get(one ?? -1)!)).toEqual(['infra.first.0.0']);
    expect(names(tables.get(two ?? -1)!)).toEqual(['infra.second.0.0']);
    // Each table has its own Gateway's upstream only.
    const [upOne, upTwo] = [one, two].map((p) => tables.get(p ?? -1)?.table.upstreams);
    expect(upOne).toHaveLength(1);
    expect(upTwo).toHaveLength(1);
    expect(upOne?.[0].name).not.toBe(upTwo?.[0].name);

    // The merged table is as it was: both Gateways' routes in one.
    expect(tableOf(gateways, routes).table.routes.map((route) => route.name)).toEqual([
      'infra/one/http:infra.first.0.0',
      'infra/two/http:infra.second.0.0',
    ]);
  });

  it('serves HTTPRouteMultipleGateways: the shared route on both, each dedicated / on its own', () => {
    // conformance@v1.6.3 tests/httproute-multiple-gateways.yaml, on the suite's two Gateways.
    const ns = { namespace: 'gateway-conformance-infra' };
    const gateways = [
      gateway('same-namespace', [httpListener('http')], ns),
      gateway(
        'all-namespaces',
        [httpListener('http', { allowedRoutes: { namespaces: { from: 'All' } } })],
        ns,
      ),
    ];
    const route = (name: string, parents: string[], path: string, backend: string) =>
      httpRoute(
        name,
        {
          parentRefs: parents.map((parent) => ({ name: parent })),
          rules: [
            {
              matches: [{ path: { type: 'PathPrefix', value: path } }],
              backendRefs: [{ name: backend, port: 8080 }],
            },
          ],
        },
        ns,
      );
    const translation = translate(
      snapshot({
        gateways,
        services: ['v1', 'v2', 'v3'].map((v) => service(ns.namespace, `infra-backend-${v}`)),
        httpRoutes: [
          route(
            'multiple-gateways-shared-route',
            ['same-namespace', 'all-namespaces'],
            '/shared',
            'infra-backend-v1',
          ),
          route('same-namespace-dedicated-route', ['same-namespace'], '/', 'infra-backend-v2'),
          route('all-namespaces-dedicated-route', ['all-namespaces'], '/', 'infra-backend-v3'),
        ],
      }),
      CONTROLLER,
    );
    const allocation = allocateGatewayPorts(gatewayListenerPorts(translation), {
      range: { from: 20000, to: 29999 },
      avoid: [],
    });
    const tables = routeTablesByGatewayPort(translation, TEST_DEFAULTS, allocation);
    const routesOf = (name: string) =>
      tables
        .get(allocation.ports.get(`${ns.namespace}/${name}:80`) ?? -1)
        ?.table.routes.map((r) => r.name)
        .sort();
    expect(tables.size).toBe(2);
    expect(routesOf('same-namespace')).toEqual([
      'gateway-conformance-infra.multiple-gateways-shared-route.0.0',
      'gateway-conformance-infra.same-namespace-dedicated-route.0.0',
    ]);
    expect(routesOf('all-namespaces')).toEqual([
      'gateway-conformance-infra.all-namespaces-dedicated-route.0.0',
      'gateway-conformance-infra.multiple-gateways-shared-route.0.0',
    ]);
  });

  it("serves a port with one listener as that listener's own table", () => {
    const { tables, translation } = tablesOf(
      [gateway('gw', [httpListener('http')])],
      [routeTo('shop', 'gw', 'a', '/shop')],
    );
    const [only] = tables.values();
    const listener = translation.gateways[0].listeners[0];
    expect(only.table).toEqual(routeTableFromListener(listener, TEST_DEFAULTS).table);
    expect(only.listeners).toEqual([listener]);
  });

  it("puts a Gateway's listeners of one port in one table, and another port's in another", () => {
    const { tables, allocation } = tablesOf(
      [
        gateway('gw', [
          httpListener('shop', { hostname: 'shop.example.com' }),
          httpListener('alt', { port: 8000 }),
          httpListener('blog', { hostname: 'blog.example.com' }),
        ]),
      ],
      [
        httpRoute('shop', {
          parentRefs: [{ name: 'gw', sectionName: 'shop' }],
          rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }],
        }),
        httpRoute('blog', {
          parentRefs: [
            { name: 'gw', sectionName: 'blog' },
            { name: 'gw', sectionName: 'alt' },
          ],
          rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }],
        }),
      ],
    );
    const on80 = tables.get(allocation.ports.get('infra/gw:80') ?? -1);
    const on8000 = tables.get(allocation.ports.get('infra/gw:8000') ?? -1);
    expect(on80?.listeners.map((l) => l.name)).toEqual(['shop', 'blog']);
    expect(on80?.table.routes.map((r) => [r.name, r.match.hosts])).toEqual([
      ['infra/gw/blog:infra.blog.0.0', ['blog.example.com']],
      ['infra/gw/shop:infra.shop.0.0', ['shop.example.com']],
    ]);
    expect(on8000?.listeners.map((l) => l.name)).toEqual(['alt']);
    expect(names(on8000!)).toEqual(['infra.blog.0.0']);
  });

  it('makes no table for a pair the allocation left without a port', () => {
    const { tables, allocation } = tablesOf(
      [gateway('one', [httpListener('http')]), gateway('two', [httpListener('http')])],
      [],
      (t) =>
        allocateGatewayPorts(gatewayListenerPorts(t), { range: { from: 100, to: 100 }, avoid: [] }),
    );
    expect(allocation.unallocated).toHaveLength(1);
    expect([...tables.values()].map((t) => t.gateway.name)).toEqual(['one']);
  });

  it('gives with a MatchRouteCache the tables it gives without one', () => {
    const gateways = [
      gateway('one', [httpListener('http')]),
      gateway('two', [httpListener('http')]),
    ];
    const routes = [routeTo('first', 'one', 'a', '/shop'), routeTo('second', 'two', 'b', '/shop')];
    const { translation, allocation, tables } = tablesOf(gateways, routes);
    const cache = new MatchRouteCache();
    routeTablesByGatewayPort(translation, TEST_DEFAULTS, allocation, cache);
    const parse = jest.spyOn(routeFileSchema, 'safeParse');
    const cached = routeTablesByGatewayPort(translation, TEST_DEFAULTS, allocation, cache);
    expect(parse).not.toHaveBeenCalled();
    parse.mockRestore();
    expect(cached).toEqual(tables);
  });
});
