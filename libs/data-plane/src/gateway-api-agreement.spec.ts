import {
  findServedMatch,
  type ModelRequest,
  routeTableFromGateways,
  routeTableFromListener,
  servedMatchName,
  translate,
} from '@app/gateway-api';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from '../../gateway-api/src/gateway-api.fixture';
import { httpsListener, tlsSecret } from '../../gateway-api/src/tls.fixture';
import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import { schemeMatchers } from './compiled-table';
import { RouteMatcher } from './route-matcher';

/**
 * The data-plane matcher against the Gateway API reference matcher (findServedMatch,
 * libs/gateway-api/src/served-match-lookup.ts): HTTPRoutes translated, the listener's table built
 * by routeTableFromListener as docs/adr/0011-gateway-api.md maps it - Exact a strict exact path,
 * PathPrefix a prefix, no method every method, `order` the match's place in precedence - and both
 * asked which match serves each request. One host (any), as host semantics are not settled
 * (ADR 0011, item 6).
 */
const to = (name: string) => [{ name, port: 8080 }];
const routes = [
  httpRoute('shop', {
    parentRefs: [{ name: 'gw' }],
    rules: [
      {
        matches: [
          { path: { type: 'PathPrefix', value: '/api/' } },
          {
            path: { type: 'PathPrefix', value: '/api' },
            headers: [{ name: 'X-Canary', value: '1' }],
          },
          { path: { type: 'PathPrefix', value: '/api' }, method: 'POST' },
          {
            path: { type: 'PathPrefix', value: '/api/v2' },
            queryParams: [{ name: 'tier', value: 'gold' }],
          },
        ],
        backendRefs: to('a'),
      },
      {
        matches: [
          { path: { type: 'Exact', value: '/api/status' } },
          {
            path: { type: 'Exact', value: '/api/status' },
            method: 'GET',
            headers: [{ name: 'accept', value: 'text/plain' }],
          },
          { path: { type: 'Exact', value: '/slash/' } },
          {
            path: { type: 'PathPrefix', value: '/api/v2' },
            headers: [
              { name: 'x-canary', value: '1' },
              { name: 'x-team', value: 'blue' },
            ],
          },
        ],
        backendRefs: to('b'),
      },
    ],
  }),
  httpRoute(
    'older',
    {
      parentRefs: [{ name: 'gw' }],
      rules: [
        {
          matches: [
            {
              path: { type: 'PathPrefix', value: '/api/v2' },
              queryParams: [{ name: 'tier', value: 'gold' }],
            },
          ],
          backendRefs: to('c'),
        },
        { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: to('c') },
      ],
    },
    { created: '2025-01-01T00:00:00Z' },
  ),
];

const listener = translate(
  snapshot({
    gateways: [gateway('gw', [httpListener('http')])],
    services: ['a', 'b', 'c'].map((name) => service('infra', name)),
    httpRoutes: routes,
  }),
  CONTROLLER,
).gateways[0].listeners[0];
const served = listener.hosts[0].matches;

const built = routeTableFromListener(listener, TEST_DEFAULTS);
const matcher = new RouteMatcher(built.table.routes.map((route) => ({ route, target: route })));

const requests: Partial<ModelRequest>[] = [];
for (const path of [
  '/',
  '/api',
  '/api/',
  '/api/x',
  '/api/v2',
  '/api/v2/x',
  '/api/status',
  '/api/status/',
  '/slash',
  '/slash/',
  '/apix',
])
  for (const method of ['GET', 'POST'])
    for (const headers of [
      {} as Record<string, string>,
      { 'x-canary': '1' },
      { 'x-canary': '1', 'x-team': 'blue' },
      { accept: 'text/plain' },
    ])
      for (const query of ['', 'tier=gold', 'tier=silver&tier=gold', 'tier=gold&tier=silver'])
        requests.push({ path, method, headers, query });

describe('the route matcher agrees with the Gateway API reference matcher', () => {
  it('translates a precedence with methods, headers, query and both path kinds', () => {
    expect(served.length).toBe(10);
    expect(built.table.routes.length).toBe(10);
    expect(built.unsupported).toEqual([]);
    expect(requests.length).toBe(11 * 2 * 4 * 4);
  });

  it.each(requests)('%j', (request) => {
    const expected = findServedMatch(listener, {
      host: 'example.com',
      method: 'GET',
      path: '/',
      ...request,
    });
    const found = matcher.find(
      request.method ?? 'GET',
      request.path ?? '/',
      'example.com',
      request.headers,
      request.query,
    );
    expect('target' in found ? found.target.name : null).toEqual(
      expected === null ? null : servedMatchName(expected.source),
    );
  });
});

/**
 * Host names as well: an exact name, a wildcard and any host, each virtual host with a catch-all
 * prefix `/`, so that a request never falls from one virtual host to another in the matcher (ADR
 * 0011, item 6, leaves that open); wildcards take one label or more in both.
 */
const hostRoutes = [
  httpRoute('site', {
    parentRefs: [{ name: 'gw' }],
    hostnames: ['a.example.com'],
    rules: [
      { backendRefs: to('a') },
      {
        matches: [
          {
            path: { type: 'PathPrefix', value: '/api' },
            headers: [{ name: 'x-canary', value: '1' }],
          },
        ],
        backendRefs: to('b'),
      },
    ],
  }),
  httpRoute('wild', {
    parentRefs: [{ name: 'gw' }],
    hostnames: ['*.example.com'],
    rules: [
      { backendRefs: to('c') },
      { matches: [{ path: { type: 'Exact', value: '/api' } }], backendRefs: to('a') },
    ],
  }),
  httpRoute('any', {
    parentRefs: [{ name: 'gw' }],
    rules: [
      { backendRefs: to('b') },
      {
        matches: [{ path: { type: 'PathPrefix', value: '/api' }, method: 'POST' }],
        backendRefs: to('c'),
      },
    ],
  }),
];
const hostListener = translate(
  snapshot({
    gateways: [gateway('gw', [httpListener('http')])],
    services: ['a', 'b', 'c'].map((name) => service('infra', name)),
    httpRoutes: hostRoutes,
  }),
  CONTROLLER,
).gateways[0].listeners[0];
const hostBuilt = routeTableFromListener(hostListener, TEST_DEFAULTS);
const hostMatcher = new RouteMatcher(
  hostBuilt.table.routes.map((route) => ({ route, target: route })),
);

const hostRequests: ModelRequest[] = [];
for (const host of [
  'a.example.com',
  'A.Example.COM',
  'b.example.com',
  'x.b.example.com',
  'example.com',
  'other.org',
])
  for (const path of ['/', '/api', '/api/x', '/x'])
    for (const method of ['GET', 'POST'])
      for (const headers of [{} as Record<string, string>, { 'x-canary': '1' }])
        hostRequests.push({ host, path, method, headers });

describe('the route matcher agrees with the Gateway API reference matcher on host names', () => {
  it('translates three virtual hosts, every match built', () => {
    expect(hostListener.hosts.map((h) => h.hostname)).toEqual([
      'a.example.com',
      '*.example.com',
      '*',
    ]);
    expect(hostBuilt.table.routes.length).toBe(6);
    expect(hostBuilt.unsupported).toEqual([]);
    expect(hostRequests.length).toBe(6 * 4 * 2 * 2);
  });

  it.each(hostRequests)('%j', (request) => {
    const expected = findServedMatch(hostListener, request);
    const found = hostMatcher.find(request.method, request.path, request.host, request.headers);
    expect(expected).not.toBeNull();
    expect('target' in found ? found.target.name : null).toEqual(
      expected === null ? null : servedMatchName(expected.source),
    );
  });
});

describe('an HTTP and an HTTPS listener of one host name', () => {
  it('keep their routes apart: the http one redirects to https, the https one serves', () => {
    const translation = translate(
      snapshot({
        gateways: [
          gateway('gw', [
            httpListener('http', { hostname: 'shop.example.com' }),
            httpsListener('https', [{ name: 'cert' }], { hostname: 'shop.example.com' }),
          ]),
        ],
        services: [service('infra', 'a')],
        secrets: [tlsSecret('infra', 'cert')],
        httpRoutes: [
          httpRoute('to-https', {
            parentRefs: [{ name: 'gw', sectionName: 'http' }],
            rules: [
              { filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }] },
            ],
          }),
          httpRoute('shop', {
            parentRefs: [{ name: 'gw', sectionName: 'https' }],
            rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }],
          }),
        ],
      }),
      CONTROLLER,
      { https: true },
    );
    const { table, unsupported } = routeTableFromGateways(translation, TEST_DEFAULTS);
    expect(unsupported).toEqual([]);
    const matchers = schemeMatchers(
      table.routes.map((route) => ({ route, target: route })),
      {},
    );
    const served = (scheme: 'http' | 'https') => {
      const found = matchers[scheme].find('GET', '/cart', 'shop.example.com');
      return 'target' in found
        ? found.target.redirect
          ? 'redirect'
          : found.target.upstream
        : null;
    };
    // One table for both listeners: without the schemes, one route would take both, and a
    // redirect to https would answer https too - a loop.
    expect(served('http')).toBe('redirect');
    expect(served('https')).toBe('infra/a:8080');
  });
});
