import { HTTP_METHODS, type Route } from '@app/routes';
import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from './gateway-api.fixture';
import {
  type EndpointSlice,
  type GatewayApiSnapshot,
  type HTTPRoute,
  type HTTPRouteRule,
  type Listener,
  SERVICE_NAME_LABEL,
} from './gateway-api-objects';
import type { ListenerModel } from './gateway-api-model';
import { routeTableFromListener, servedMatchName } from './route-table-from-listener';
import { LONGEST_TIMEOUT_MS } from './route-timeouts';
import { translate } from './translate';

const SERVICES = [service('infra', 'a'), service('infra', 'b', [8080, 9090])];
const to = (name: string, port = 8080, extra = {}) => ({ name, port, ...extra });

function listenerOf(
  routes: readonly HTTPRoute[],
  options: { listener?: Listener; parts?: Partial<GatewayApiSnapshot> } = {},
): ListenerModel {
  return translate(
    snapshot({
      gateways: [gateway('gw', [options.listener ?? httpListener('http')])],
      services: SERVICES,
      httpRoutes: routes,
      ...options.parts,
    }),
    CONTROLLER,
  ).gateways[0].listeners[0];
}

/** One route `shop` in `infra` with these rules, attached to the Gateway. */
function built(rules: readonly HTTPRouteRule[], hostnames?: string[]) {
  const route = httpRoute('shop', {
    parentRefs: [{ name: 'gw' }],
    ...(hostnames ? { hostnames } : {}),
    rules,
  });
  return routeTableFromListener(listenerOf([route]), TEST_DEFAULTS);
}

function routeNamed(routes: readonly Route[], name: string): Route {
  const route = routes.find((r) => r.name === name);
  if (route === undefined) throw new Error(`no route ${name} in ${routes.map((r) => r.name)}`);
  return route;
}

describe('routeTableFromListener', () => {
  describe('matches', () => {
    it('names each route <namespace>.<route>.<rule>.<match> and maps path, method, headers and query', () => {
      const { table, unsupported } = built([
        {
          matches: [
            {
              path: { type: 'Exact', value: '/status/' },
              method: 'GET',
              headers: [
                { name: 'X-Team', value: 'blue' },
                { name: 'Accept', value: 'text/plain' },
              ],
              queryParams: [
                { name: 'v', value: '2' },
                { name: 'Tier', value: 'gold' },
              ],
            },
            { path: { type: 'PathPrefix', value: '/api/' } },
          ],
          backendRefs: [to('a')],
        },
      ]);
      expect(unsupported).toEqual([]);
      expect(table.routes.map((r) => r.name)).toEqual(['infra.shop.0.0', 'infra.shop.0.1']);
      expect(routeNamed(table.routes, 'infra.shop.0.0').match).toEqual({
        methods: ['GET'],
        path: { kind: 'exact', path: '/status/', trailingSlash: 'strict' },
        hosts: [],
        headers: [
          { name: 'accept', value: 'text/plain' },
          { name: 'x-team', value: 'blue' },
        ],
        query: [
          { name: 'Tier', value: 'gold' },
          { name: 'v', value: '2' },
        ],
        // An HTTP listener's routes take plain-text requests only.
        scheme: 'http',
      });
      expect(routeNamed(table.routes, 'infra.shop.0.1').match).toEqual({
        methods: [...HTTP_METHODS].sort(),
        path: { kind: 'prefix', path: '/api', trailingSlash: 'strict' },
        hosts: [],
        headers: [],
        query: [],
        scheme: 'http',
      });
    });

    it('names a match by namespace, route, rule index and match index', () => {
      const source = {
        namespace: 'n',
        route: 'r.s',
        rule: 1,
        match: 2,
        creationTimestamp: '',
        ruleName: 'named',
      };
      expect(servedMatchName(source)).toBe('n.r.s.1.2');
    });

    it('gives each route its place in the listener precedence as its order', () => {
      const { table } = built([
        {
          matches: [
            { path: { type: 'PathPrefix', value: '/' } },
            { path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x', value: '1' }] },
            { path: { type: 'PathPrefix', value: '/api' }, method: 'POST' },
            { path: { type: 'Exact', value: '/api' } },
          ],
          backendRefs: [to('a')],
        },
      ]);
      const order = Object.fromEntries(table.routes.map((r) => [r.name, r.order]));
      expect(order).toEqual({
        'infra.shop.0.3': 0,
        'infra.shop.0.2': 1,
        'infra.shop.0.1': 2,
        'infra.shop.0.0': 3,
      });
    });

    it('takes the host name of each virtual host the match is served on; none for any host', () => {
      const onHosts = built(
        [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [to('a')] }],
        ['Shop.Example.com', '*.example.org'],
      );
      expect(onHosts.table.routes.map((r) => [r.name, r.match.hosts])).toEqual([
        ['infra.shop.0.0', ['*.example.org', 'shop.example.com']],
      ]);
      const anyHost = built([{ backendRefs: [to('a')] }]);
      expect(anyHost.table.routes.map((r) => [r.name, r.match.hosts])).toEqual([
        ['infra.shop.0.0', []],
      ]);
    });

    it("takes the gateway's defaults for every policy", () => {
      const { table } = built([
        { matches: [{ method: 'POST' }, { method: 'GET' }], backendRefs: [to('a')] },
      ]);
      const post = routeNamed(table.routes, 'infra.shop.0.0');
      const get = routeNamed(table.routes, 'infra.shop.0.1');
      expect(post).toMatchObject({
        auth: TEST_DEFAULTS.auth,
        rateLimit: null,
        timeoutMs: TEST_DEFAULTS.traffic.http.timeoutMs,
        retry: {
          idempotent: false,
          maxAttempts: TEST_DEFAULTS.traffic.http.retry.maxAttempts,
          perTryTimeoutMs: TEST_DEFAULTS.traffic.http.retry.perTryTimeoutMs,
        },
        bodyLimitBytes: TEST_DEFAULTS.bodyLimitBytes,
        bodySchema: null,
        grpc: null,
      });
      expect(get.retry.idempotent).toBe(true);
    });
  });

  describe('backends', () => {
    it('sends to one upstream per Service port, shared by the routes to it', () => {
      const { table, unsupported } = built([
        { matches: [{ path: { type: 'PathPrefix', value: '/a' } }], backendRefs: [to('a')] },
        { matches: [{ path: { type: 'PathPrefix', value: '/a2' } }], backendRefs: [to('a')] },
        { matches: [{ path: { type: 'PathPrefix', value: '/b' } }], backendRefs: [to('b', 9090)] },
        // Weight 0 takes no share: the other backend is the only one.
        {
          matches: [{ path: { type: 'PathPrefix', value: '/c' } }],
          backendRefs: [to('b', 8080), to('a', 8080, { weight: 0 })],
        },
      ]);
      expect(unsupported).toEqual([]);
      expect(table.routes.map((r) => [r.name, r.upstream])).toEqual([
        ['infra.shop.0.0', 'infra/a:8080'],
        ['infra.shop.1.0', 'infra/a:8080'],
        ['infra.shop.2.0', 'infra/b:9090'],
        ['infra.shop.3.0', 'infra/b:8080'],
      ]);
      expect(table.upstreams).toEqual([
        {
          kind: 'http',
          name: 'infra/a:8080',
          urls: ['http://a.infra.svc.cluster.local:8080'],
          rewrite: null,
          headers: { add: {}, remove: [] },
          traffic: TEST_DEFAULTS.traffic.http,
          preserveHost: true,
        },
        expect.objectContaining({
          name: 'infra/b:8080',
          urls: ['http://b.infra.svc.cluster.local:8080'],
        }),
        expect.objectContaining({
          name: 'infra/b:9090',
          urls: ['http://b.infra.svc.cluster.local:9090'],
        }),
      ]);
    });

    it("keeps a split's backendRef header filters with their share", () => {
      const setHeader = (value: string) => [
        {
          type: 'RequestHeaderModifier' as const,
          requestHeaderModifier: { set: [{ name: 'Backend', value }] },
        },
      ];
      const { table, unsupported } = built([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/split' } }],
          backendRefs: [
            to('a', 8080, { weight: 1, filters: setHeader('a') }),
            to('b', 8080, { weight: 1, filters: setHeader('b') }),
          ],
        },
      ]);
      expect(unsupported).toEqual([]);
      expect(table.routes[0].requestHeaders).toBeUndefined();
      expect(table.routes[0].backends).toEqual([
        {
          upstream: 'infra/a:8080',
          weight: 1,
          requestHeaders: { set: [{ name: 'backend', value: 'a' }], add: [], remove: [] },
        },
        {
          upstream: 'infra/b:8080',
          weight: 1,
          requestHeaders: { set: [{ name: 'backend', value: 'b' }], add: [], remove: [] },
        },
      ]);
    });

    it('gives a rule its timeouts: request the whole call, backendRequest each attempt', () => {
      const { table, unsupported } = built([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/both' } }],
          backendRefs: [to('a')],
          timeouts: { request: '2s', backendRequest: '500ms' },
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/backend' } }],
          backendRefs: [to('a')],
          timeouts: { backendRequest: '700ms' },
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/off' } }],
          backendRefs: [to('a')],
          timeouts: { request: '0s' },
        },
      ]);
      expect(unsupported).toEqual([]);
      const [both, backend, off] = table.routes;
      expect([both.timeoutMs, both.retry.perTryTimeoutMs]).toEqual([2000, 500]);
      expect([backend.timeoutMs, backend.retry.perTryTimeoutMs]).toEqual([700, 700]);
      expect([off.timeoutMs, off.retry.perTryTimeoutMs]).toEqual([
        LONGEST_TIMEOUT_MS,
        TEST_DEFAULTS.traffic.http.retry.perTryTimeoutMs,
      ]);
    });

    it('sends to the ready endpoints of the Service port, or its DNS name while it has none', () => {
      const slice: EndpointSlice = {
        metadata: {
          namespace: 'infra',
          name: 'a-1',
          labels: { [SERVICE_NAME_LABEL]: 'a' },
        },
        addressType: 'IPv4',
        endpoints: [
          { addresses: ['10.1.0.7'] },
          { addresses: ['10.1.0.3'], conditions: { ready: true } },
          { addresses: ['10.1.0.9'], conditions: { ready: false, terminating: true } },
        ],
        ports: [{ name: 'p8080', port: 5000 }],
      };
      const route = httpRoute('shop', {
        parentRefs: [{ name: 'gw' }],
        rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/a' } }], backendRefs: [to('a')] },
          { matches: [{ path: { type: 'PathPrefix', value: '/b' } }], backendRefs: [to('b')] },
        ],
      });
      const { table } = routeTableFromListener(
        listenerOf([route], { parts: { endpointSlices: [slice] } }),
        TEST_DEFAULTS,
      );
      expect(table.upstreams.map((u) => [u.name, u.kind === 'http' ? u.urls : []])).toEqual([
        ['infra/a:8080', ['http://10.1.0.3:5000', 'http://10.1.0.7:5000']],
        ['infra/b:8080', ['http://b.infra.svc.cluster.local:8080']],
      ]);
    });

    it("answers an unresolved backendRef's share of a split with 500, the others as weighted", () => {
      const { table, unsupported } = built([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/half' } }],
          backendRefs: [to('a', 8080, { weight: 1 }), to('gone', 8080, { weight: 1 })],
        },
      ]);
      expect(unsupported).toEqual([]);
      const [route] = table.routes;
      expect(route.upstream).toBe('infra/a:8080');
      expect(route.backends).toEqual([
        { upstream: 'infra/a:8080', weight: 1 },
        {
          respond: { status: 500, message: expect.stringMatching(/gone/) },
          weight: 1,
        },
      ]);
      expect(table.upstreams.map((u) => u.name)).toEqual(['infra/a:8080']);
    });

    it('lists what the table cannot express yet, with a reason, and builds the rest: a split by weight, a 500 where no backend resolves', () => {
      const { table, unsupported } = built([
        { matches: [{ path: { type: 'PathPrefix', value: '/ok' } }], backendRefs: [to('a')] },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/split' } }],
          backendRefs: [to('a', 8080, { weight: 3 }), to('b', 8080, { weight: 1 })],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/missing' } }],
          backendRefs: [to('gone')],
        },
        { matches: [{ path: { type: 'PathPrefix', value: '/none' } }] },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/zero' } }],
          backendRefs: [to('a', 8080, { weight: 0 })],
        },
        { matches: [{ method: 'TRACE' }], backendRefs: [to('a')] },
        {
          matches: [{ headers: [{ name: 'Host', value: 'a.example.com' }] }],
          backendRefs: [to('a')],
        },
      ]);
      expect(table.routes.map((r) => [r.name, r.upstream, r.respond?.status])).toEqual([
        ['infra.shop.0.0', 'infra/a:8080', undefined],
        ['infra.shop.1.0', 'infra/a:8080', undefined],
        ['infra.shop.2.0', null, 500],
        ['infra.shop.3.0', null, 500],
        ['infra.shop.4.0', null, 500],
      ]);
      expect(routeNamed(table.routes, 'infra.shop.1.0').backends).toEqual([
        { upstream: 'infra/a:8080', weight: 3 },
        { upstream: 'infra/b:8080', weight: 1 },
      ]);
      expect(table.upstreams.map((u) => u.name)).toEqual(['infra/a:8080', 'infra/b:8080']);
      expect(routeNamed(table.routes, 'infra.shop.2.0').respond?.message).toMatch(/gone/);
      expect(routeNamed(table.routes, 'infra.shop.3.0').respond?.message).toBe(
        'no backend of this route takes requests',
      );
      expect(unsupported.map((u) => [u.name, u.hosts])).toEqual([
        ['infra.shop.5.0', ['*']],
        ['infra.shop.6.0', ['*']],
      ]);
      const reasons = unsupported.map((u) => u.reason);
      // The route file's own words: TRACE is no method of the route model.
      expect(reasons[0]).toMatch(
        /^infra\.shop\.5\.0: match\.methods\[0\]: expected "GET" or .* \(got "TRACE"\)$/,
      );
      expect(reasons[1]).toBe('infra.shop.6.0: match.headers.host: match the host with hosts');
      expect(unsupported[0].source).toMatchObject({ namespace: 'infra', route: 'shop', rule: 5 });
    });
  });

  describe('filters', () => {
    it('puts request and response header edits on the route, names lower case and sorted', () => {
      const { table } = built([
        {
          filters: [
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: {
                set: [
                  { name: 'X-B', value: '2' },
                  { name: 'X-A', value: '1' },
                ],
                add: [{ name: 'X-Add', value: 'more' }],
                remove: ['X-Drop'],
              },
            },
            {
              type: 'ResponseHeaderModifier',
              responseHeaderModifier: { set: [{ name: 'Cache-Control', value: 'no-store' }] },
            },
          ],
          backendRefs: [to('a')],
        },
      ]);
      const [route] = table.routes;
      expect(route.requestHeaders).toEqual({
        set: [
          { name: 'x-a', value: '1' },
          { name: 'x-b', value: '2' },
        ],
        add: [{ name: 'x-add', value: 'more' }],
        remove: ['x-drop'],
      });
      expect(route.responseHeaders).toEqual({
        set: [{ name: 'cache-control', value: 'no-store' }],
        add: [],
        remove: [],
      });
      expect(route.rewrite).toBeUndefined();
      expect(route.redirect).toBeUndefined();
    });

    it('adds the header edits of the one backendRef to the rule’s when they edit other headers', () => {
      const backendFilters = [
        {
          type: 'RequestHeaderModifier' as const,
          requestHeaderModifier: { set: [{ name: 'x-backend', value: 'b' }] },
        },
        {
          type: 'ResponseHeaderModifier' as const,
          responseHeaderModifier: { remove: ['server'] },
        },
      ];
      const ruleFilter = (name: string) => ({
        type: 'RequestHeaderModifier' as const,
        requestHeaderModifier: { set: [{ name, value: 'r' }] },
      });
      const { table, unsupported } = built([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/apart' } }],
          filters: [ruleFilter('x-rule')],
          backendRefs: [to('a', 8080, { filters: backendFilters })],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/same' } }],
          filters: [ruleFilter('X-Backend')],
          backendRefs: [to('a', 8080, { filters: backendFilters })],
        },
      ]);
      expect(table.routes.map((r) => r.name)).toEqual(['infra.shop.0.0']);
      expect(table.routes[0].requestHeaders?.set).toEqual([
        { name: 'x-backend', value: 'b' },
        { name: 'x-rule', value: 'r' },
      ]);
      expect(table.routes[0].responseHeaders?.remove).toEqual(['server']);
      expect(unsupported.map((u) => [u.name, u.reason])).toEqual([
        ['infra.shop.1.0', expect.stringMatching(/both edit "x-backend"/)],
      ]);
    });

    it('makes a redirect rule a route without upstream answering the redirect', () => {
      const { table } = built([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/old' } }],
          filters: [
            {
              type: 'RequestRedirect',
              requestRedirect: {
                scheme: 'https',
                hostname: 'New.Example.com',
                port: 8443,
                path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new/' },
                statusCode: 301,
              },
            },
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: { set: [{ name: 'x-unused', value: '1' }] },
            },
          ],
        },
        {
          matches: [{ path: { type: 'Exact', value: '/moved' } }],
          filters: [{ type: 'RequestRedirect', requestRedirect: {} }],
        },
      ]);
      expect(table.upstreams).toEqual([]);
      const [prefixed, plain] = table.routes;
      expect(prefixed).toMatchObject({
        upstream: null,
        redirect: {
          scheme: 'https',
          hostname: 'new.example.com',
          port: 8443,
          path: { kind: 'prefix', prefix: '/new' },
          statusCode: 301,
        },
      });
      // No request is sent on: a request header edit has nothing to edit.
      expect(prefixed.requestHeaders).toBeUndefined();
      expect(plain.redirect).toEqual({
        scheme: null,
        hostname: null,
        port: null,
        path: null,
        statusCode: 302,
      });
    });

    it('puts a URL rewrite on the route', () => {
      const { table, unsupported } = built([
        {
          matches: [{ path: { type: 'PathPrefix', value: '/v1' } }],
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: {
                hostname: 'Internal.Example.com',
                path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/v2' },
              },
            },
          ],
          backendRefs: [to('a')],
        },
        {
          matches: [{ path: { type: 'Exact', value: '/one' } }],
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/other' } },
            },
          ],
          backendRefs: [to('a')],
        },
        // ReplacePrefixMatch on an Exact match: the CRD refuses it, and so does the file.
        {
          matches: [{ path: { type: 'Exact', value: '/two' } }],
          filters: [
            {
              type: 'URLRewrite',
              urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } },
            },
          ],
          backendRefs: [to('a')],
        },
      ]);
      expect(routeNamed(table.routes, 'infra.shop.0.0').rewrite).toEqual({
        hostname: 'internal.example.com',
        path: { kind: 'prefix', prefix: '/v2' },
      });
      expect(routeNamed(table.routes, 'infra.shop.1.0').rewrite).toEqual({
        hostname: null,
        path: { kind: 'full', path: '/other' },
      });
      expect(unsupported.map((u) => [u.name, u.reason])).toEqual([
        [
          'infra.shop.2.0',
          expect.stringMatching(
            /rewrite\.path\.prefix: only on a route whose match\.path is a prefix/,
          ),
        ],
      ]);
    });
  });

  describe('determinism', () => {
    it('builds equal tables from equal translations, whatever the order of the objects', () => {
      const routes = [
        httpRoute('one', {
          parentRefs: [{ name: 'gw' }],
          hostnames: ['a.example.com'],
          rules: [
            { backendRefs: [to('a')] },
            { matches: [{ method: 'GET' }], backendRefs: [to('b')] },
          ],
        }),
        httpRoute('two', {
          parentRefs: [{ name: 'gw' }],
          rules: [
            { matches: [{ path: { type: 'Exact', value: '/x' } }], backendRefs: [to('b', 9090)] },
            { backendRefs: [to('a'), to('b')] },
          ],
        }),
      ];
      const first = routeTableFromListener(listenerOf(routes), TEST_DEFAULTS);
      const second = routeTableFromListener(listenerOf([...routes].reverse()), TEST_DEFAULTS);
      expect(second).toEqual(first);
      expect(first.table.routes.length).toBe(4);
      expect(first.unsupported.length).toBe(0);
      expect(first.table.version).toMatch(/^sha256:/);
    });
  });
});
