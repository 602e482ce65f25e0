import type { HTTPRoute } from './gateway-api-objects';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from './gateway-api.fixture';
import { findServedMatch, type ModelRequest } from './served-match-lookup';
import { translate } from './translate';

/** Which Service serves a request on the only listener of the only Gateway, or 404. */
function servedBy(routes: HTTPRoute[], request: Partial<ModelRequest>, listenerHostname?: string) {
  const t = translate(
    snapshot({
      gateways: [gateway('gw', [httpListener('http', { hostname: listenerHostname })])],
      services: ['a', 'b', 'c'].map((name) => service('infra', name)),
      httpRoutes: routes,
    }),
    CONTROLLER,
  );
  const match = findServedMatch(t.gateways[0].listeners[0], {
    host: 'example.com',
    method: 'GET',
    path: '/',
    ...request,
  });
  if (match === null) return 404;
  const [backend] = match.backends;
  return backend?.kind === 'service' ? backend.service.name : 500;
}

const to = (name: string) => [{ name, port: 8080 }];

describe('findServedMatch over a translation', () => {
  // Two routes sharing a host name: one broad with a header alternative, one narrower on one host.
  const routes = [
    httpRoute('broad', {
      parentRefs: [{ name: 'gw' }],
      hostnames: ['example.com', 'example.net'],
      rules: [
        {
          matches: [
            { path: { type: 'PathPrefix', value: '/' } },
            { headers: [{ name: 'version', value: 'one' }] },
          ],
          backendRefs: to('a'),
        },
      ],
    }),
    httpRoute('narrow', {
      parentRefs: [{ name: 'gw' }],
      hostnames: ['example.com'],
      rules: [
        {
          matches: [
            { path: { type: 'PathPrefix', value: '/v2' } },
            { headers: [{ name: 'version', value: 'two' }] },
          ],
          backendRefs: to('b'),
        },
      ],
    }),
  ];

  it.each([
    [{ path: '/' }, 'a'],
    [{ path: '/example' }, 'a'],
    [{ host: 'example.net', path: '/example' }, 'a'],
    [{ path: '/example', headers: { version: 'one' } }, 'a'],
    [{ path: '/v2' }, 'b'],
    [{ host: 'example.net', path: '/v2' }, 'a'],
    [{ path: '/v2/example' }, 'b'],
    [{ path: '/', headers: { version: 'two' } }, 'b'],
    [{ host: 'EXAMPLE.com:8080', path: '/v2' }, 'b'],
    [{ host: 'other.org', path: '/' }, 404],
  ])('%j -> %s', (request, expected) => {
    expect(servedBy(routes, request)).toBe(expected);
  });

  it('matches prefixes by whole path elements, exact paths exactly', () => {
    const r = [
      httpRoute('p', {
        parentRefs: [{ name: 'gw' }],
        rules: [{ matches: [{ path: { value: '/foo/' } }], backendRefs: to('a') }],
      }),
      httpRoute('e', {
        parentRefs: [{ name: 'gw' }],
        rules: [{ matches: [{ path: { type: 'Exact', value: '/exact' } }], backendRefs: to('b') }],
      }),
    ];
    expect(servedBy(r, { path: '/foo' })).toBe('a');
    expect(servedBy(r, { path: '/foo/bar' })).toBe('a');
    expect(servedBy(r, { path: '/foobar' })).toBe(404);
    expect(servedBy(r, { path: '/exact' })).toBe('b');
    expect(servedBy(r, { path: '/exact/' })).toBe(404);
  });

  it('matches method, query parameters and headers together', () => {
    const r = [
      httpRoute('q', {
        parentRefs: [{ name: 'gw' }],
        rules: [
          {
            matches: [{ method: 'POST', queryParams: [{ name: 'tier', value: 'gold' }] }],
            backendRefs: to('a'),
          },
          { matches: [{ headers: [{ name: 'X-Tier', value: 'gold' }] }], backendRefs: to('b') },
        ],
      }),
    ];
    expect(servedBy(r, { method: 'POST', query: 'tier=gold' })).toBe('a');
    expect(servedBy(r, { method: 'GET', query: 'tier=gold' })).toBe(404);
    expect(servedBy(r, { method: 'POST', query: 'tier=silver' })).toBe(404);
    expect(servedBy(r, { headers: { 'x-tier': 'gold' } })).toBe('b');
  });

  it('serves an exact host name before a wildcard, without falling back to it', () => {
    const r = [
      httpRoute('wild', {
        parentRefs: [{ name: 'gw' }],
        hostnames: ['*.example.com'],
        rules: [{ backendRefs: to('a') }],
      }),
      httpRoute('exact', {
        parentRefs: [{ name: 'gw' }],
        hostnames: ['shop.example.com'],
        rules: [{ matches: [{ path: { value: '/cart' } }], backendRefs: to('b') }],
      }),
    ];
    expect(servedBy(r, { host: 'shop.example.com', path: '/cart' })).toBe('b');
    expect(servedBy(r, { host: 'blog.example.com', path: '/cart' })).toBe('a');
    expect(servedBy(r, { host: 'a.b.example.com', path: '/' })).toBe('a');
    expect(servedBy(r, { host: 'example.com', path: '/' })).toBe(404);
    expect(servedBy(r, { host: 'shop.example.com', path: '/' })).toBe(404);
  });

  it('answers 500 for a rule whose only backend is not permitted', () => {
    const r = [
      httpRoute('x', {
        parentRefs: [{ name: 'gw' }],
        rules: [{ backendRefs: [{ name: 'a', namespace: 'shop', port: 8080 }] }],
      }),
    ];
    expect(servedBy(r, {})).toBe(500);
  });

  it("keeps to the listener's host name", () => {
    const r = [
      httpRoute('any', { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: to('c') }] }),
    ];
    expect(servedBy(r, { host: 'api.example.com' }, '*.example.com')).toBe('c');
    expect(servedBy(r, { host: 'example.org' }, '*.example.com')).toBe(404);
  });
});
