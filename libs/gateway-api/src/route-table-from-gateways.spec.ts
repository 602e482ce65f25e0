import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from './gateway-api.fixture';
import type { HTTPRoute } from './gateway-api-objects';
import { routeTableFromGateways } from './route-table-from-gateways';
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
