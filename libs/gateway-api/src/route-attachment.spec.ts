import { gateway, httpListener } from './gateway-api.fixture';
import type { Namespace } from './gateway-api-objects';
import { kindAllowed, listenerKinds, namespaceAllowed } from './route-attachment';

const namespaces: Namespace[] = [
  { metadata: { name: 'infra', labels: { team: 'platform' } } },
  { metadata: { name: 'shop', labels: { team: 'shop', env: 'prod' } } },
  { metadata: { name: 'lab', labels: { env: 'dev' } } },
];

describe('namespaceAllowed', () => {
  it("admits only the Gateway's namespace by default (Same)", () => {
    const l = httpListener('http');
    const gw = gateway('gw', [l]);
    expect(namespaceAllowed(gw, l, 'infra', namespaces)).toBe(true);
    expect(namespaceAllowed(gw, l, 'shop', namespaces)).toBe(false);
  });

  it('admits every namespace with All, none with None', () => {
    const all = httpListener('a', { allowedRoutes: { namespaces: { from: 'All' } } });
    const none = httpListener('n', { allowedRoutes: { namespaces: { from: 'None' } } });
    const gw = gateway('gw', [all, none]);
    expect(namespaceAllowed(gw, all, 'lab', namespaces)).toBe(true);
    expect(namespaceAllowed(gw, none, 'infra', namespaces)).toBe(false);
  });

  it('admits with Selector the namespaces whose labels match, by matchLabels and expressions', () => {
    const byLabel = httpListener('l', {
      allowedRoutes: {
        namespaces: { from: 'Selector', selector: { matchLabels: { team: 'shop' } } },
      },
    });
    const byExpression = httpListener('e', {
      allowedRoutes: {
        namespaces: {
          from: 'Selector',
          selector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] },
        },
      },
    });
    const notProd = httpListener('x', {
      allowedRoutes: {
        namespaces: {
          from: 'Selector',
          selector: {
            matchExpressions: [
              { key: 'env', operator: 'Exists' },
              { key: 'env', operator: 'NotIn', values: ['prod'] },
            ],
          },
        },
      },
    });
    const gw = gateway('gw', [byLabel, byExpression, notProd]);
    const admitted = (l: typeof byLabel) =>
      ['infra', 'shop', 'lab', 'unknown'].filter((ns) => namespaceAllowed(gw, l, ns, namespaces));
    expect(admitted(byLabel)).toEqual(['shop']);
    expect(admitted(byExpression)).toEqual(['shop', 'lab']);
    expect(admitted(notProd)).toEqual(['lab']);
  });

  it('admits nothing with Selector but no selector', () => {
    const l = httpListener('l', { allowedRoutes: { namespaces: { from: 'Selector' } } });
    expect(namespaceAllowed(gateway('gw', [l]), l, 'infra', namespaces)).toBe(false);
  });
});

describe('listenerKinds', () => {
  it('supports HTTPRoute on HTTP listeners when no kinds are listed', () => {
    const l = httpListener('http');
    expect(listenerKinds(l)).toEqual({
      supported: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }],
      invalid: [],
    });
    expect(kindAllowed(l, 'HTTPRoute')).toBe(true);
  });

  it('separates listed kinds it cannot serve', () => {
    const l = httpListener('http', {
      allowedRoutes: {
        kinds: [
          { kind: 'HTTPRoute' },
          { kind: 'TCPRoute' },
          { group: 'other.io', kind: 'HTTPRoute' },
        ],
      },
    });
    expect(listenerKinds(l).invalid).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'TCPRoute' },
      { group: 'other.io', kind: 'HTTPRoute' },
    ]);
    expect(kindAllowed(l, 'HTTPRoute')).toBe(true);
    const only = httpListener('tcp-only', { allowedRoutes: { kinds: [{ kind: 'TCPRoute' }] } });
    expect(kindAllowed(only, 'HTTPRoute')).toBe(false);
  });

  it('serves nothing on protocols it does not support', () => {
    expect(listenerKinds(httpListener('t', { protocol: 'TCP' })).supported).toEqual([]);
    expect(listenerKinds(httpListener('t', { protocol: 'TLS' }), true).supported).toEqual([]);
  });

  it('supports HTTPRoute on HTTPS listeners only when the gateway terminates TLS', () => {
    const l = httpListener('https', { protocol: 'HTTPS', port: 443 });
    expect(listenerKinds(l).supported).toEqual([]);
    expect(kindAllowed(l, 'HTTPRoute')).toBe(false);
    expect(listenerKinds(l, true).supported).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
    ]);
    expect(kindAllowed(l, 'HTTPRoute', true)).toBe(true);
  });

  it('supports GRPCRoute on HTTP and HTTPS listeners only with grpc, InvalidRouteKinds without', () => {
    const http = httpListener('http');
    expect(kindAllowed(http, 'GRPCRoute')).toBe(false);
    expect(kindAllowed(http, 'GRPCRoute', false, true)).toBe(true);
    const https = httpListener('https', { protocol: 'HTTPS', port: 443 });
    expect(listenerKinds(https, true, true).supported).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' },
      { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' },
    ]);
    // HTTPS still needs the gateway to terminate TLS.
    expect(listenerKinds(https, false, true).supported).toEqual([]);
    const listed = httpListener('grpc', { allowedRoutes: { kinds: [{ kind: 'GRPCRoute' }] } });
    expect(listenerKinds(listed, false, true)).toEqual({
      supported: [{ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }],
      invalid: [],
    });
    expect(listenerKinds(listed)).toEqual({
      supported: [],
      invalid: [{ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }],
    });
    expect(listenerKinds(httpListener('t', { protocol: 'TCP' }), true, true).supported).toEqual([]);
  });
});
