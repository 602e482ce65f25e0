import type { Condition } from './gateway-api-conditions';
import {
  CONTROLLER,
  gateway,
  gatewayClass,
  httpListener,
  httpRoute,
  service,
  serviceGrant,
  snapshot,
} from './gateway-api.fixture';
import type { Translation } from './gateway-api-model';
import { translate } from './translate';

const brief = (conditions: readonly Condition[]) =>
  Object.fromEntries(conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

const parentsOf = (t: Translation, name: string) =>
  t.status.routes
    .find((r) => r.route.name === name)
    ?.parents.map((p) => {
      const { Accepted, ResolvedRefs } = brief(p.conditions);
      return { ref: p.parentRef, Accepted, ResolvedRefs };
    });

const served = (t: Translation, gw: string, listener: string) =>
  t.gateways
    .find((g) => g.gateway.name === gw)
    ?.listeners.find((l) => l.name === listener)
    ?.hosts.map((h) => ({
      host: h.hostname,
      matches: h.matches.map((m) => `${m.source.route}.${m.source.rule}.${m.source.match}`),
    }));

describe('translate', () => {
  it('accepts its own GatewayClass and Gateway, leaves other controllers alone', () => {
    const t = translate(
      snapshot({
        gatewayClasses: [gatewayClass(), gatewayClass('theirs', 'other.io/controller')],
        gateways: [
          gateway('gw', [httpListener('http')]),
          gateway('their-gw', [httpListener('http')], { className: 'theirs' }),
        ],
        gatewayAddresses: { 'infra/gw': [{ type: 'IPAddress', value: '10.96.0.10' }] },
      }),
      CONTROLLER,
    );
    expect(t.status.gatewayClasses.map((c) => [c.name, brief(c.conditions)])).toEqual([
      ['ours', { Accepted: 'True/Accepted' }],
    ]);
    expect(t.status.gateways).toHaveLength(1);
    const [gw] = t.status.gateways;
    expect(gw.gateway).toEqual({ namespace: 'infra', name: 'gw' });
    expect(brief(gw.conditions)).toEqual({
      Accepted: 'True/Accepted',
      Programmed: 'True/Programmed',
    });
    expect(gw.conditions.every((c) => c.observedGeneration === 3)).toBe(true);
    expect(gw.addresses).toEqual([{ type: 'IPAddress', value: '10.96.0.10' }]);
    expect(gw.listeners).toEqual([
      expect.objectContaining({
        name: 'http',
        attachedRoutes: 0,
        supportedKinds: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
      }),
    ]);
    expect(brief(gw.listeners[0].conditions)).toEqual({
      Accepted: 'True/Accepted',
      Conflicted: 'False/NoConflicts',
      ResolvedRefs: 'True/ResolvedRefs',
      Programmed: 'True/Programmed',
    });
    expect(t.gateways.map((g) => g.gateway.name)).toEqual(['gw']);
  });

  it('is not Programmed without an address (AddressNotAssigned)', () => {
    const t = translate(
      snapshot({ gateways: [gateway('gw', [httpListener('http')])] }),
      CONTROLLER,
    );
    expect(brief(t.status.gateways[0].conditions).Programmed).toBe('False/AddressNotAssigned');
  });

  it('refuses unsupported protocols and conflicting listeners, keeping the distinct ones', () => {
    const t = translate(
      snapshot({
        gateways: [
          gateway('gw', [
            httpListener('ok', { port: 80, hostname: 'a.example.com' }),
            httpListener('same-host-1', { port: 8080 }),
            httpListener('same-host-2', { port: 8080 }),
            httpListener('tcp', { port: 9000, protocol: 'TCP' }),
            httpListener('http-9000', { port: 9000 }),
            httpListener('https-8443', { port: 8443, protocol: 'HTTPS' }),
            httpListener('http-8443', { port: 8443 }),
            httpListener('other-host', { port: 80, hostname: 'b.example.com' }),
          ]),
        ],
      }),
      CONTROLLER,
    );
    const [gw] = t.status.gateways;
    expect(brief(gw.conditions).Accepted).toBe('True/ListenersNotValid');
    const listener = (name: string) => brief(gw.listeners.find((l) => l.name === name)!.conditions);
    expect(listener('ok')).toMatchObject({
      Accepted: 'True/Accepted',
      Conflicted: 'False/NoConflicts',
    });
    expect(listener('other-host')).toMatchObject({ Accepted: 'True/Accepted' });
    expect(listener('same-host-1')).toMatchObject({
      Conflicted: 'True/HostnameConflict',
      Programmed: 'False/Invalid',
    });
    expect(listener('same-host-2')).toMatchObject({ Conflicted: 'True/HostnameConflict' });
    // An implementation without TCP refuses TCP listeners without making their port's HTTP
    // listeners indistinct (GatewaySpec `listeners`); HTTP and HTTPS on one port do conflict.
    expect(listener('tcp')).toMatchObject({
      Accepted: 'False/UnsupportedProtocol',
      Conflicted: 'False/NoConflicts',
    });
    expect(listener('http-9000')).toMatchObject({
      Accepted: 'True/Accepted',
      Conflicted: 'False/NoConflicts',
    });
    expect(listener('https-8443')).toMatchObject({
      Accepted: 'False/UnsupportedProtocol',
      Conflicted: 'True/ProtocolConflict',
    });
    expect(listener('http-8443')).toMatchObject({
      Accepted: 'False/ProtocolConflict',
      Conflicted: 'True/ProtocolConflict',
    });
    expect(t.gateways[0].listeners.map((l) => l.name)).toEqual(['ok', 'http-9000', 'other-host']);
  });

  it('refuses a Gateway none of whose listeners is valid, and one asking for addresses', () => {
    const t = translate(
      snapshot({
        gateways: [
          gateway('tcp', [httpListener('tcp', { protocol: 'TCP' })]),
          {
            ...gateway('addr', [httpListener('http')]),
            spec: {
              gatewayClassName: 'ours',
              listeners: [httpListener('http')],
              addresses: [{ value: '1.2.3.4' }],
            },
          },
        ],
      }),
      CONTROLLER,
    );
    const byName = Object.fromEntries(
      t.status.gateways.map((g) => [g.gateway.name, brief(g.conditions)]),
    );
    expect(byName).toEqual({
      tcp: { Accepted: 'False/ListenersNotValid', Programmed: 'False/Invalid' },
      addr: { Accepted: 'False/UnsupportedAddress', Programmed: 'False/Invalid' },
    });
    expect(t.gateways).toEqual([]);
  });

  it('reports InvalidRouteKinds for listed kinds it cannot serve', () => {
    const t = translate(
      snapshot({
        gateways: [
          gateway('gw', [
            httpListener('http', { allowedRoutes: { kinds: [{ kind: 'TCPRoute' }] } }),
          ]),
        ],
        httpRoutes: [httpRoute('r', { parentRefs: [{ name: 'gw' }] })],
      }),
      CONTROLLER,
    );
    const [listener] = t.status.gateways[0].listeners;
    expect(brief(listener.conditions).ResolvedRefs).toBe('False/InvalidRouteKinds');
    expect(listener.supportedKinds).toEqual([]);
    expect(listener.attachedRoutes).toBe(0);
    expect(parentsOf(t, 'r')?.[0].Accepted).toBe('False/NotAllowedByListeners');
  });

  it('refuses a route on a listener for other kinds with NotAllowedByListeners, even an unsupported one', () => {
    const t = translate(
      snapshot({
        gateways: [
          gateway('tls-only', [
            httpListener('tls', {
              port: 443,
              protocol: 'TLS',
              tls: { mode: 'Passthrough' },
              allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ kind: 'TLSRoute' }] },
            }),
          ]),
        ],
        httpRoutes: [httpRoute('r', { parentRefs: [{ name: 'tls-only' }] })],
      }),
      CONTROLLER,
    );
    expect(parentsOf(t, 'r')?.[0].Accepted).toBe('False/NotAllowedByListeners');
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(0);
  });

  it('attaches nothing to a refused Gateway (NoMatchingParent)', () => {
    const refused = {
      ...gateway('addr', [httpListener('http')]),
      spec: {
        gatewayClassName: 'ours',
        listeners: [httpListener('http')],
        addresses: [{ value: '1.2.3.4' }],
      },
    };
    const t = translate(
      snapshot({
        gateways: [refused],
        httpRoutes: [httpRoute('r', { parentRefs: [{ name: 'addr' }] })],
      }),
      CONTROLLER,
    );
    expect(parentsOf(t, 'r')?.[0].Accepted).toBe('False/NoMatchingParent');
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(0);
    expect(brief(t.status.gateways[0].listeners[0].conditions)).toMatchObject({
      Accepted: 'True/Accepted',
      Programmed: 'False/Invalid',
    });
  });

  it('ignores routes attached only to another controller’s Gateway, or to no Gateway it knows', () => {
    const t = translate(
      snapshot({
        gatewayClasses: [gatewayClass(), gatewayClass('theirs', 'other.io/controller')],
        gateways: [
          gateway('gw', [httpListener('http')]),
          gateway('their-gw', [httpListener('http')], { className: 'theirs' }),
        ],
        httpRoutes: [
          httpRoute('theirs-only', { parentRefs: [{ name: 'their-gw' }] }),
          httpRoute('missing', { parentRefs: [{ name: 'nowhere' }] }),
          httpRoute('service-parent', { parentRefs: [{ name: 'gw', kind: 'Service', group: '' }] }),
          httpRoute('both', { parentRefs: [{ name: 'their-gw' }, { name: 'gw' }] }),
        ],
      }),
      CONTROLLER,
    );
    expect(t.status.routes.map((r) => r.route.name)).toEqual(['both']);
    expect(parentsOf(t, 'both')).toEqual([
      { ref: { name: 'gw' }, Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' },
    ]);
    expect(t.status.routes[0].parents[0].controllerName).toBe(CONTROLLER);
  });

  it('attaches through each parentRef by sectionName, with a status entry per parentRef', () => {
    const t = translate(
      snapshot({
        gateways: [
          gateway('gw', [
            httpListener('foo', { port: 80, hostname: 'foo.example.com' }),
            httpListener('bar', { port: 80, hostname: 'bar.example.com' }),
            httpListener('admin', { port: 8080 }),
          ]),
        ],
        httpRoutes: [
          httpRoute('r', {
            parentRefs: [
              { name: 'gw', sectionName: 'foo' },
              { name: 'gw', sectionName: 'admin' },
              { name: 'gw', sectionName: 'nope' },
              { name: 'gw', port: 9999 },
            ],
          }),
        ],
      }),
      CONTROLLER,
    );
    expect(parentsOf(t, 'r')?.map((p) => [p.ref.sectionName ?? p.ref.port, p.Accepted])).toEqual([
      ['foo', 'True/Accepted'],
      ['admin', 'True/Accepted'],
      ['nope', 'False/NoMatchingParent'],
      [9999, 'False/NoMatchingParent'],
    ]);
    expect(t.status.gateways[0].listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['foo', 1],
      ['bar', 0],
      ['admin', 1],
    ]);
    expect(served(t, 'gw', 'foo')).toEqual([{ host: 'foo.example.com', matches: ['r.0.0'] }]);
    expect(served(t, 'gw', 'admin')).toEqual([{ host: '*', matches: ['r.0.0'] }]);
    expect(served(t, 'gw', 'bar')).toEqual([]);
  });

  it('attaches by port as a parentRef may name it', () => {
    const t = translate(
      snapshot({
        gateways: [
          gateway('gw', [httpListener('a', { port: 80 }), httpListener('b', { port: 8080 })]),
        ],
        httpRoutes: [httpRoute('r', { parentRefs: [{ name: 'gw', port: 8080 }] })],
      }),
      CONTROLLER,
    );
    expect(t.status.gateways[0].listeners.map((l) => l.attachedRoutes)).toEqual([0, 1]);
  });

  it('refuses routes from namespaces allowedRoutes does not admit (NotAllowedByListeners)', () => {
    const t = translate(
      snapshot({
        namespaces: [
          { metadata: { name: 'shop', labels: { expose: 'yes' } } },
          { metadata: { name: 'lab' } },
        ],
        gateways: [
          gateway('gw', [
            httpListener('same', { port: 80 }),
            httpListener('selected', {
              port: 81,
              allowedRoutes: {
                namespaces: { from: 'Selector', selector: { matchLabels: { expose: 'yes' } } },
              },
            }),
          ]),
        ],
        httpRoutes: [
          httpRoute(
            'shop-route',
            { parentRefs: [{ name: 'gw', namespace: 'infra' }] },
            { namespace: 'shop' },
          ),
          httpRoute(
            'lab-route',
            { parentRefs: [{ name: 'gw', namespace: 'infra' }] },
            { namespace: 'lab' },
          ),
          httpRoute(
            'shop-same',
            { parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'same' }] },
            { namespace: 'shop' },
          ),
        ],
      }),
      CONTROLLER,
    );
    expect(parentsOf(t, 'shop-route')?.[0].Accepted).toBe('True/Accepted');
    expect(parentsOf(t, 'lab-route')?.[0].Accepted).toBe('False/NotAllowedByListeners');
    expect(parentsOf(t, 'shop-same')?.[0].Accepted).toBe('False/NotAllowedByListeners');
    expect(served(t, 'gw', 'selected')).toEqual([{ host: '*', matches: ['shop-route.0.0'] }]);
    expect(served(t, 'gw', 'same')).toEqual([]);
  });

  it('refuses a route without a host name in common with its listener (NoMatchingListenerHostname)', () => {
    const t = translate(
      snapshot({
        gateways: [gateway('gw', [httpListener('http', { hostname: '*.example.com' })])],
        httpRoutes: [
          httpRoute('net', { parentRefs: [{ name: 'gw' }], hostnames: ['example.net'] }),
          httpRoute('some', {
            parentRefs: [{ name: 'gw' }],
            hostnames: ['a.example.com', 'example.net'],
          }),
        ],
      }),
      CONTROLLER,
    );
    expect(parentsOf(t, 'net')?.[0].Accepted).toBe('False/NoMatchingListenerHostname');
    expect(parentsOf(t, 'some')?.[0].Accepted).toBe('True/Accepted');
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(1);
    expect(served(t, 'gw', 'http')).toEqual([{ host: 'a.example.com', matches: ['some.0.0'] }]);
  });

  it('orders virtual hosts by specificity and matches by precedence across routes', () => {
    const t = translate(
      snapshot({
        gateways: [gateway('gw', [httpListener('http')])],
        httpRoutes: [
          httpRoute(
            'catch-all',
            { parentRefs: [{ name: 'gw' }] },
            { created: '2026-01-01T00:00:00Z' },
          ),
          httpRoute(
            'api',
            {
              parentRefs: [{ name: 'gw' }],
              rules: [
                {
                  matches: [
                    { path: { type: 'PathPrefix', value: '/api' } },
                    { path: { type: 'Exact', value: '/api/health' } },
                  ],
                },
                {
                  matches: [
                    { path: { value: '/api' }, headers: [{ name: 'X-Version', value: '2' }] },
                  ],
                },
              ],
            },
            { created: '2026-02-01T00:00:00Z' },
          ),
          httpRoute(
            'wild',
            { parentRefs: [{ name: 'gw' }], hostnames: ['*.example.com'], rules: [{}] },
            { created: '2026-03-01T00:00:00Z' },
          ),
          httpRoute(
            'exact-host',
            { parentRefs: [{ name: 'gw' }], hostnames: ['shop.example.com'] },
            { created: '2026-03-01T00:00:00Z' },
          ),
          httpRoute(
            'older-api',
            { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { value: '/api' } }] }] },
            { created: '2025-01-01T00:00:00Z' },
          ),
        ],
      }),
      CONTROLLER,
    );
    expect(served(t, 'gw', 'http')).toEqual([
      { host: 'shop.example.com', matches: ['exact-host.0.0'] },
      { host: '*.example.com', matches: ['wild.0.0'] },
      { host: '*', matches: ['api.0.1', 'api.1.0', 'older-api.0.0', 'api.0.0', 'catch-all.0.0'] },
    ]);
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(5);
  });

  it('translates matches, filters and weighted backends, and sets ResolvedRefs per backend', () => {
    const t = translate(
      snapshot({
        services: [
          service('infra', 'v1', [80]),
          service('infra', 'v2', [80]),
          service('shop', 'remote', [80]),
        ],
        referenceGrants: [serviceGrant('shop', 'infra', 'remote')],
        gateways: [gateway('gw', [httpListener('http')])],
        httpRoutes: [
          httpRoute('canary', {
            parentRefs: [{ name: 'gw' }],
            rules: [
              {
                matches: [
                  {
                    path: { type: 'PathPrefix', value: '/shop' },
                    method: 'POST',
                    headers: [
                      { name: 'X-Env', value: 'a' },
                      { name: 'x-env', value: 'b' },
                    ],
                    queryParams: [{ name: 'Tag', value: '1' }],
                  },
                ],
                filters: [
                  {
                    type: 'RequestHeaderModifier',
                    requestHeaderModifier: { set: [{ name: 'X-A', value: '1' }], remove: ['X-B'] },
                  },
                  {
                    type: 'URLRewrite',
                    urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
                  },
                ],
                backendRefs: [
                  { name: 'v1', port: 80, weight: 90 },
                  {
                    name: 'v2',
                    port: 80,
                    weight: 10,
                    filters: [
                      {
                        type: 'ResponseHeaderModifier',
                        responseHeaderModifier: { add: [{ name: 'X-Canary', value: 'yes' }] },
                      },
                    ],
                  },
                  { name: 'remote', namespace: 'shop', port: 80 },
                ],
              },
            ],
          }),
        ],
      }),
      CONTROLLER,
    );
    expect(parentsOf(t, 'canary')?.[0]).toMatchObject({
      Accepted: 'True/Accepted',
      ResolvedRefs: 'True/ResolvedRefs',
    });
    const [match] = t.gateways[0].listeners[0].hosts[0].matches;
    expect(match.path).toEqual({ kind: 'prefix', value: '/shop' });
    expect(match.method).toBe('POST');
    expect(match.headers).toEqual([{ name: 'x-env', value: 'a' }]);
    expect(match.queryParams).toEqual([{ name: 'Tag', value: '1' }]);
    expect(match.filters).toEqual({
      requestHeaders: { set: [{ name: 'x-a', value: '1' }], add: [], remove: ['x-b'] },
      responseHeaders: null,
      redirect: null,
      rewrite: { hostname: null, path: { kind: 'prefix', prefix: '/' } },
    });
    expect(
      match.backends.map((b) =>
        b.kind === 'service' ? [b.service.namespace, b.service.name, b.weight] : b.kind,
      ),
    ).toEqual([
      ['infra', 'v1', 90],
      ['infra', 'v2', 10],
      ['shop', 'remote', 1],
    ]);
    expect(match.backends[1]).toMatchObject({
      responseHeaders: { set: [], add: [{ name: 'x-canary', value: 'yes' }], remove: [] },
    });
  });

  it('keeps unresolved backends as invalid shares and names the first failure in ResolvedRefs', () => {
    const t = translate(
      snapshot({
        services: [service('infra', 'ok', [80]), service('shop', 'web', [80])],
        gateways: [gateway('gw', [httpListener('http')])],
        httpRoutes: [
          httpRoute('not-permitted', {
            parentRefs: [{ name: 'gw' }],
            rules: [
              {
                backendRefs: [
                  { name: 'ok', port: 80 },
                  { name: 'web', namespace: 'shop', port: 80 },
                ],
              },
            ],
          }),
          httpRoute('not-found', {
            parentRefs: [{ name: 'gw' }],
            rules: [{ backendRefs: [{ name: 'gone', port: 80 }] }],
          }),
          httpRoute('bad-kind', {
            parentRefs: [{ name: 'gw' }],
            rules: [{ backendRefs: [{ name: 'b', group: 'example.io', kind: 'Bucket' }] }],
          }),
        ],
      }),
      CONTROLLER,
    );
    expect(parentsOf(t, 'not-permitted')?.[0]).toMatchObject({
      Accepted: 'True/Accepted',
      ResolvedRefs: 'False/RefNotPermitted',
    });
    expect(parentsOf(t, 'not-found')?.[0]).toMatchObject({
      Accepted: 'True/Accepted',
      ResolvedRefs: 'False/BackendNotFound',
    });
    expect(parentsOf(t, 'bad-kind')?.[0]).toMatchObject({
      Accepted: 'True/Accepted',
      ResolvedRefs: 'False/InvalidKind',
    });
    const matches = t.gateways[0].listeners[0].hosts[0].matches;
    const np = matches.find((m) => m.source.route === 'not-permitted')!;
    expect(np.backends.map((b) => `${b.kind}:${b.weight}`)).toEqual(['service:1', 'invalid:1']);
  });

  it('refuses a route with a filter or match it cannot serve (UnsupportedValue), still counting it as attached', () => {
    const t = translate(
      snapshot({
        gateways: [gateway('gw', [httpListener('http')])],
        httpRoutes: [
          httpRoute('mirror', {
            parentRefs: [{ name: 'gw' }],
            rules: [{ filters: [{ type: 'RequestMirror' }] }],
          }),
          httpRoute('regex', {
            parentRefs: [{ name: 'gw' }],
            rules: [{ matches: [{ path: { type: 'RegularExpression', value: '/a.*' } }] }],
          }),
          httpRoute('redirect', {
            parentRefs: [{ name: 'gw' }],
            rules: [
              {
                matches: [{ path: { type: 'Exact', value: '/old' } }],
                filters: [
                  {
                    type: 'RequestRedirect',
                    requestRedirect: { scheme: 'https', statusCode: 301 },
                  },
                ],
              },
            ],
          }),
        ],
      }),
      CONTROLLER,
    );
    expect(parentsOf(t, 'mirror')?.[0].Accepted).toBe('False/UnsupportedValue');
    expect(parentsOf(t, 'regex')?.[0].Accepted).toBe('False/UnsupportedValue');
    expect(parentsOf(t, 'redirect')?.[0].Accepted).toBe('True/Accepted');
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(3);
    const matches = t.gateways[0].listeners[0].hosts[0].matches;
    expect(matches.map((m) => m.source.route)).toEqual(['redirect']);
    expect(matches[0].filters.redirect).toEqual({
      scheme: 'https',
      hostname: null,
      port: null,
      path: null,
      statusCode: 301,
    });
  });

  it('serves a route reached through two parentRefs of one listener once', () => {
    const t = translate(
      snapshot({
        gateways: [gateway('gw', [httpListener('http')])],
        httpRoutes: [
          httpRoute('r', { parentRefs: [{ name: 'gw' }, { name: 'gw', sectionName: 'http' }] }),
        ],
      }),
      CONTROLLER,
    );
    expect(served(t, 'gw', 'http')).toEqual([{ host: '*', matches: ['r.0.0'] }]);
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(1);
    expect(parentsOf(t, 'r')).toHaveLength(2);
  });

  it('translates equal snapshots equally, whatever the order of the objects', () => {
    const routes = [
      httpRoute('b', {
        parentRefs: [{ name: 'gw' }],
        rules: [{ matches: [{ path: { value: '/x' } }] }],
      }),
      httpRoute('a', {
        parentRefs: [{ name: 'gw' }],
        rules: [{ matches: [{ path: { value: '/x' } }] }],
      }),
    ];
    const gws = [gateway('gw', [httpListener('http')]), gateway('gw2', [httpListener('http')])];
    const one = translate(snapshot({ gateways: gws, httpRoutes: routes }), CONTROLLER);
    const two = translate(
      snapshot({ gateways: [...gws].reverse(), httpRoutes: [...routes].reverse() }),
      CONTROLLER,
    );
    expect(two).toEqual(one);
    expect(served(one, 'gw', 'http')).toEqual([{ host: '*', matches: ['a.0.0', 'b.0.0'] }]);
  });
});
