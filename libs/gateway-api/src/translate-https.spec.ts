import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import type { Condition } from './gateway-api-conditions';
import {
  CONTROLLER,
  gateway,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from './gateway-api.fixture';
import type {
  GatewayApiSnapshot,
  HTTPRoute,
  Listener,
  ReferenceGrant,
  Secret,
} from './gateway-api-objects';
import type { Translation } from './gateway-api-model';
import { routeTableFromGateways } from './route-table-from-gateways';
import {
  CERTIFICATE_PEM,
  httpsListener,
  OTHER_CERTIFICATE_PEM,
  OTHER_PRIVATE_KEY_PEM,
  PRIVATE_KEY_PEM,
  secretGrant,
  tlsSecret,
} from './tls.fixture';
import { translate } from './translate';

const brief = (conditions: readonly Condition[]) =>
  Object.fromEntries(conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

const ADDRESS = { 'infra/gw': [{ type: 'IPAddress', value: '10.96.0.10' }] };
const ROUTE = httpRoute('shop', {
  parentRefs: [{ name: 'gw' }],
  rules: [{ backendRefs: [{ name: 'a', port: 8080 }] }],
});

function translated(
  listeners: readonly Listener[],
  parts: Partial<GatewayApiSnapshot> = {},
  https = true,
): Translation {
  return translate(
    snapshot({
      gateways: [gateway('gw', listeners)],
      services: [service('infra', 'a')],
      secrets: [tlsSecret('infra', 'cert')],
      gatewayAddresses: ADDRESS,
      ...parts,
    }),
    CONTROLLER,
    { https },
  );
}

const listenerStatus = (t: Translation, name: string) =>
  t.status.gateways[0].listeners.find((l) => l.name === name);
const listenerConditions = (t: Translation, name: string) =>
  brief(listenerStatus(t, name)?.conditions ?? []);
const servedListeners = (t: Translation) => t.gateways[0]?.listeners.map((l) => l.name);
const routeParents = (t: Translation, name: string) =>
  t.status.routes.find((r) => r.route.name === name)?.parents.map((p) => brief(p.conditions));

const HTTP_ROUTE_KIND = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }];

describe('translate: HTTPS listeners (TLS terminated)', () => {
  it('accepts, resolves and programs a listener whose Secret is valid, and serves it with its certificate', () => {
    const t = translated([httpsListener('https', [{ name: 'cert' }])], { httpRoutes: [ROUTE] });
    expect(listenerConditions(t, 'https')).toEqual({
      Accepted: 'True/Accepted',
      Conflicted: 'False/NoConflicts',
      ResolvedRefs: 'True/ResolvedRefs',
      Programmed: 'True/Programmed',
    });
    expect(listenerStatus(t, 'https')).toMatchObject({
      supportedKinds: HTTP_ROUTE_KIND,
      attachedRoutes: 1,
    });
    expect(brief(t.status.gateways[0].conditions)).toEqual({
      Accepted: 'True/Accepted',
      Programmed: 'True/Programmed',
    });
    expect(routeParents(t, 'shop')).toEqual([
      { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' },
    ]);
    const [listener] = t.gateways[0].listeners;
    expect(listener).toMatchObject({
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      certificates: [{ certificate: CERTIFICATE_PEM, privateKey: PRIVATE_KEY_PEM }],
    });
    expect(listener.hosts.map((h) => h.matches.map((m) => m.source.route))).toEqual([['shop']]);
  });

  it('keeps HTTP listeners HTTP, without certificates, beside an HTTPS one', () => {
    const t = translated([httpListener('http'), httpsListener('https', [{ name: 'cert' }])]);
    expect(t.gateways[0].listeners.map((l) => [l.name, l.protocol, l.certificates.length])).toEqual(
      [
        ['http', 'HTTP', 0],
        ['https', 'HTTPS', 1],
      ],
    );
  });

  it('builds the route table of an HTTPS listener as of an HTTP one', () => {
    const t = translated(
      [httpsListener('https', [{ name: 'cert' }], { hostname: 'shop.example.com' })],
      {
        httpRoutes: [ROUTE],
      },
    );
    const { table, unsupported } = routeTableFromGateways(t, TEST_DEFAULTS);
    expect(unsupported).toEqual([]);
    expect(table.routes.map((r) => [r.name, r.match.hosts])).toEqual([
      ['infra.shop.0.0', ['shop.example.com']],
    ]);
  });

  describe('a certificateRef that does not resolve', () => {
    it.each<[string, Listener, readonly Secret[]]>([
      ['a Secret that does not exist', httpsListener('https', [{ name: 'missing' }]), []],
      [
        'another group',
        httpsListener('https', [{ group: 'wrong.group.company.io', kind: 'Secret', name: 'cert' }]),
        [tlsSecret('infra', 'cert')],
      ],
      [
        'another kind',
        httpsListener('https', [{ group: '', kind: 'WrongKind', name: 'cert' }]),
        [tlsSecret('infra', 'cert')],
      ],
      [
        'malformed data',
        httpsListener('https', [{ name: 'cert' }]),
        [tlsSecret('infra', 'cert', { certificate: 'Hello world\n', privateKey: 'Hello world\n' })],
      ],
      [
        "a key that is not the certificate's",
        httpsListener('https', [{ name: 'cert' }]),
        [tlsSecret('infra', 'cert', { privateKey: OTHER_PRIVATE_KEY_PEM })],
      ],
      [
        'an Opaque Secret',
        httpsListener('https', [{ name: 'cert' }]),
        [tlsSecret('infra', 'cert', { type: 'Opaque' })],
      ],
      [
        'no certificateRefs',
        { name: 'https', port: 443, protocol: 'HTTPS' },
        [tlsSecret('infra', 'cert')],
      ],
    ])(
      '(%s): ResolvedRefs False InvalidCertificateRef, still Accepted, not Programmed nor served',
      (_, listener, secrets) => {
        const t = translated([listener], { secrets });
        expect(listenerConditions(t, 'https')).toEqual({
          Accepted: 'True/Accepted',
          Conflicted: 'False/NoConflicts',
          ResolvedRefs: 'False/InvalidCertificateRef',
          Programmed: 'False/Invalid',
        });
        expect(listenerStatus(t, 'https')).toMatchObject({
          supportedKinds: HTTP_ROUTE_KIND,
          attachedRoutes: 0,
        });
        expect(servedListeners(t)).toEqual([]);
      },
    );

    it('keeps the Gateway Accepted and Programmed, the reason ListenersNotValid', () => {
      const t = translated([httpsListener('https', [{ name: 'missing' }])]);
      expect(brief(t.status.gateways[0].conditions)).toEqual({
        Accepted: 'True/ListenersNotValid',
        Programmed: 'True/Programmed',
      });
      expect(t.status.gateways[0].conditions[0].message).toContain('https');
    });

    it("leaves the Gateway's other listeners served", () => {
      const t = translated([httpListener('http'), httpsListener('https', [{ name: 'missing' }])]);
      expect(servedListeners(t)).toEqual(['http']);
      expect(listenerConditions(t, 'http').Programmed).toBe('True/Programmed');
    });

    it('still takes routes (attachedRoutes, route Accepted) but serves none of them', () => {
      const t = translated([httpsListener('https', [{ name: 'missing' }])], {
        httpRoutes: [ROUTE],
      });
      expect(listenerStatus(t, 'https')?.attachedRoutes).toBe(1);
      expect(routeParents(t, 'shop')).toEqual([
        { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' },
      ]);
      expect(servedListeners(t)).toEqual([]);
      expect(routeTableFromGateways(t, TEST_DEFAULTS).table.routes).toEqual([]);
    });

    it('wins over InvalidRouteKinds for the one ResolvedRefs reason, the message naming both', () => {
      const kinds = { allowedRoutes: { kinds: [{ kind: 'GRPCRoute' }] } };
      const t = translated([httpsListener('https', [{ name: 'missing' }], kinds)]);
      const resolvedRefs = listenerStatus(t, 'https')?.conditions.find(
        (c) => c.type === 'ResolvedRefs',
      );
      expect(resolvedRefs).toMatchObject({ status: 'False', reason: 'InvalidCertificateRef' });
      expect(resolvedRefs?.message).toContain('GRPCRoute');
      // With its certificate resolved, the route kinds are the reason, and it is served.
      const good = translated([httpsListener('https', [{ name: 'cert' }], kinds)]);
      expect(listenerConditions(good, 'https')).toMatchObject({
        ResolvedRefs: 'False/InvalidRouteKinds',
        Programmed: 'True/Programmed',
      });
      expect(servedListeners(good)).toEqual(['https']);
    });
  });

  describe('a certificateRef to another namespace', () => {
    const listener = httpsListener('https', [
      { group: '', kind: 'Secret', name: 'certificate', namespace: 'web' },
    ]);
    const secrets = [tlsSecret('web', 'certificate')];
    const status = (grants: readonly ReferenceGrant[]) =>
      listenerConditions(translated([listener], { secrets, referenceGrants: grants }), 'https');

    it('without a ReferenceGrant: ResolvedRefs False RefNotPermitted, not Programmed', () => {
      expect(status([])).toMatchObject({
        Accepted: 'True/Accepted',
        ResolvedRefs: 'False/RefNotPermitted',
        Programmed: 'False/Invalid',
      });
    });

    it.each<[string, ReferenceGrant]>([
      ['the Secret', secretGrant('web', 'infra', { name: 'certificate' })],
      ['all Secrets of its namespace', secretGrant('web', 'infra')],
    ])('with a ReferenceGrant naming %s: resolved, Programmed, served', (_, grant) => {
      const t = translated([listener], { secrets, referenceGrants: [grant] });
      expect(listenerConditions(t, 'https')).toMatchObject({
        ResolvedRefs: 'True/ResolvedRefs',
        Programmed: 'True/Programmed',
      });
      expect(servedListeners(t)).toEqual(['https']);
    });

    it.each<[string, ReferenceGrant]>([
      ['from HTTPRoutes', secretGrant('web', 'infra', { fromKind: 'HTTPRoute' })],
      ['from another namespace', secretGrant('web', 'elsewhere')],
      ['to another Secret', secretGrant('web', 'infra', { name: 'other' })],
      ['in another namespace than the Secret', secretGrant('app', 'infra')],
    ])('with a ReferenceGrant %s only: RefNotPermitted', (_, grant) => {
      expect(status([grant]).ResolvedRefs).toBe('False/RefNotPermitted');
    });
  });

  it('refuses tls.mode Passthrough: Accepted False UnsupportedValue, not served, certificateRefs ignored', () => {
    const t = translated(
      [{ name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Passthrough' } }],
      { httpRoutes: [ROUTE] },
    );
    expect(listenerConditions(t, 'https')).toEqual({
      Accepted: 'False/UnsupportedValue',
      Conflicted: 'False/NoConflicts',
      ResolvedRefs: 'True/ResolvedRefs',
      Programmed: 'False/Invalid',
    });
    expect(listenerStatus(t, 'https')?.attachedRoutes).toBe(0);
    expect(brief(t.status.gateways[0].conditions).Accepted).toBe('False/ListenersNotValid');
    expect(t.gateways).toEqual([]);
  });

  it('keeps TLS listeners UnsupportedProtocol', () => {
    const t = translated([
      { name: 'tls', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' } },
    ]);
    expect(listenerConditions(t, 'tls').Accepted).toBe('False/UnsupportedProtocol');
    expect(listenerStatus(t, 'tls')?.supportedKinds).toEqual([]);
  });

  describe('without the https option', () => {
    const route: HTTPRoute = ROUTE;

    it('refuses HTTPS listeners as UnsupportedProtocol, naming the chart value, as before', () => {
      const t = translated(
        [httpsListener('https', [{ name: 'cert' }])],
        { httpRoutes: [route] },
        false,
      );
      const accepted = listenerStatus(t, 'https')?.conditions.find((c) => c.type === 'Accepted');
      expect(accepted).toMatchObject({ status: 'False', reason: 'UnsupportedProtocol' });
      expect(accepted?.message).toContain('gatewayApi.https.enabled');
      expect(listenerStatus(t, 'https')?.supportedKinds).toEqual([]);
      expect(listenerConditions(t, 'https').Programmed).toBe('False/Invalid');
      expect(routeParents(t, 'shop')?.[0].Accepted).toBe('False/NotAllowedByListeners');
      expect(t.gateways).toEqual([]);
    });

    it('is the default of translate()', () => {
      const t = translate(
        snapshot({
          gateways: [gateway('gw', [httpsListener('https', [{ name: 'cert' }])])],
          secrets: [tlsSecret('infra', 'cert')],
        }),
        CONTROLLER,
      );
      expect(listenerConditions(t, 'https').Accepted).toBe('False/UnsupportedProtocol');
    });
  });

  it('resolves nothing when the snapshot has no Secrets', () => {
    const t = translated([httpsListener('https', [{ name: 'cert' }])], { secrets: undefined });
    expect(listenerConditions(t, 'https').ResolvedRefs).toBe('False/InvalidCertificateRef');
  });
});

describe('translate: OverlappingTLSConfig (HTTPS listeners sharing the one TLS port)', () => {
  // Two Secrets of one certificate, and one of another: equal texts are the same certificate.
  const secrets = [
    tlsSecret('infra', 'cert'),
    tlsSecret('infra', 'same'),
    tlsSecret('infra', 'other', {
      certificate: OTHER_CERTIFICATE_PEM,
      privateKey: OTHER_PRIVATE_KEY_PEM,
    }),
  ];
  const listener = (
    name: string,
    secret: string,
    hostname?: string,
    extra: Partial<Listener> = {},
  ) =>
    httpsListener(name, [{ name: secret }], {
      ...(hostname === undefined ? {} : { hostname }),
      ...extra,
    });

  /** Two Gateways, `a` and `b`, of one listener each (or more), both served. */
  function twoGateways(a: readonly Listener[], b: readonly Listener[]): Translation {
    return translate(
      snapshot({
        gateways: [gateway('a', a), gateway('b', b)],
        secrets,
        gatewayAddresses: {
          'infra/a': [{ type: 'IPAddress', value: '10.96.0.10' }],
          'infra/b': [{ type: 'IPAddress', value: '10.96.0.10' }],
        },
      }),
      CONTROLLER,
      { https: true },
    );
  }
  const overlap = (t: Translation, gatewayName: string, listenerName: string) =>
    t.status.gateways
      .find((g) => g.gateway.name === gatewayName)
      ?.listeners.find((l) => l.name === listenerName)
      ?.conditions.find((c) => c.type === 'OverlappingTLSConfig');

  it("sets it on both Gateways' listeners of one host name and different certificates: OverlappingCertificates, naming the other", () => {
    const t = twoGateways(
      [listener('https', 'cert', 'shop.example.com')],
      [listener('https', 'other', 'shop.example.com')],
    );
    expect(overlap(t, 'a', 'https')).toEqual({
      type: 'OverlappingTLSConfig',
      status: 'True',
      reason: 'OverlappingCertificates',
      message:
        'hostname shop.example.com overlaps those of HTTPS listeners on the one TLS port: ' +
        'infra/b/https (shop.example.com); other certificates: infra/b/https',
      observedGeneration: 3,
    });
    expect(overlap(t, 'b', 'https')).toMatchObject({
      status: 'True',
      reason: 'OverlappingCertificates',
    });
    expect(overlap(t, 'b', 'https')?.message).toContain('infra/a/https (shop.example.com)');
    // After the verdict's conditions, which stay as they were; the Gateways stay Accepted.
    expect(t.status.gateways[0].listeners[0].conditions.map((c) => c.type)).toEqual([
      'Accepted',
      'Conflicted',
      'ResolvedRefs',
      'Programmed',
      'OverlappingTLSConfig',
    ]);
    expect(t.status.gateways.map((g) => brief(g.conditions).Accepted)).toEqual([
      'True/Accepted',
      'True/Accepted',
    ]);
  });

  it('gives OverlappingHostnames when they present the same certificates (two Secrets of one)', () => {
    const t = twoGateways(
      [listener('https', 'cert', 'shop.example.com')],
      [listener('https', 'same', 'SHOP.example.com')],
    );
    expect(overlap(t, 'a', 'https')).toMatchObject({
      status: 'True',
      reason: 'OverlappingHostnames',
      message:
        'hostname shop.example.com overlaps those of HTTPS listeners on the one TLS port: ' +
        'infra/b/https (shop.example.com)',
    });
    expect(overlap(t, 'b', 'https')?.reason).toBe('OverlappingHostnames');
  });

  it('sets it on a wildcard and the name it takes, not on a name it does not take', () => {
    // The spec's example: A foo.example.com, B foo.example.org, C *.example.com - A and C.
    const t = twoGateways(
      [
        listener('a', 'cert', 'foo.example.com'),
        listener('b', 'cert', 'foo.example.org', { port: 8443 }),
      ],
      [listener('c', 'other', '*.example.com')],
    );
    expect(overlap(t, 'a', 'a')?.reason).toBe('OverlappingCertificates');
    expect(overlap(t, 'a', 'a')?.message).toContain('infra/b/c (*.example.com)');
    expect(overlap(t, 'b', 'c')?.reason).toBe('OverlappingCertificates');
    expect(overlap(t, 'b', 'c')?.message).toContain('infra/a/a (foo.example.com)');
    expect(overlap(t, 'a', 'b')).toBeUndefined();
  });

  it('sets it on a listener naming no host and on every served HTTPS listener beside it, of its Gateway too', () => {
    const t = twoGateways(
      [listener('any', 'cert'), listener('shop', 'cert', 'shop.example.com', { port: 8443 })],
      [listener('https', 'other', 'api.example.org')],
    );
    expect(overlap(t, 'a', 'any')).toMatchObject({
      reason: 'OverlappingCertificates',
      message:
        'hostname (none: any host) overlaps those of HTTPS listeners on the one TLS port: ' +
        'infra/a/shop (shop.example.com), infra/b/https (api.example.org); ' +
        'other certificates: infra/b/https',
    });
    // Each of the others overlaps only the listener naming no host.
    expect(overlap(t, 'a', 'shop')).toMatchObject({
      reason: 'OverlappingHostnames',
      message:
        'hostname shop.example.com overlaps those of HTTPS listeners on the one TLS port: ' +
        'infra/a/any ((none: any host))',
    });
    expect(overlap(t, 'b', 'https')?.reason).toBe('OverlappingCertificates');
  });

  /** `gateway/listener: reason` of every listener with the condition. */
  const overlapping = (t: Translation) =>
    t.status.gateways.flatMap((g) =>
      g.listeners.flatMap((l) =>
        l.conditions
          .filter((c) => c.type === 'OverlappingTLSConfig')
          .map((c) => `${g.gateway.name}/${l.name}: ${c.reason}`),
      ),
    );

  it('never sets it on HTTP listeners, whatever their host names', () => {
    const t = twoGateways(
      [httpListener('http'), listener('https', 'cert', 'shop.example.com')],
      [
        httpListener('http', { hostname: 'shop.example.com' }),
        listener('wild', 'cert', '*.example.com'),
      ],
    );
    expect(overlapping(t)).toEqual([
      'a/https: OverlappingHostnames',
      'b/wild: OverlappingHostnames',
    ]);
  });

  it('leaves it absent on HTTPS listeners whose host names overlap no other', () => {
    const t = twoGateways(
      [listener('https', 'cert', 'shop.example.com'), listener('api', 'cert', '*.api.example.com')],
      [
        listener('https', 'other', 'example.com'),
        listener('web', 'other', '*.web.example.com'),
        listener('v1', 'other', 'v1.api.example.com'),
      ],
    );
    // Only *.api.example.com and v1.api.example.com overlap.
    expect(overlapping(t)).toEqual([
      'a/api: OverlappingCertificates',
      'b/v1: OverlappingCertificates',
    ]);
  });

  it('leaves out listeners that are not served: their certificates unresolved', () => {
    const t = twoGateways(
      [listener('https', 'cert', 'shop.example.com')],
      [
        listener('https', 'missing', 'shop.example.com'),
        listener('wild', 'other', '*.example.com'),
      ],
    );
    expect(overlapping(t)).toEqual([
      'a/https: OverlappingCertificates',
      'b/wild: OverlappingCertificates',
    ]);
    expect(overlap(t, 'a', 'https')?.message).not.toContain('infra/b/https');
  });

  it('names at most ten overlapping listeners in the message, then how many more', () => {
    const many = Array.from({ length: 12 }, (_, i) =>
      listener(`l${i}`, 'cert', `h${i}.example.com`, { port: 1000 + i }),
    );
    const t = twoGateways([listener('any', 'other')], many);
    expect(overlap(t, 'a', 'any')?.message).toBe(
      'hostname (none: any host) overlaps those of HTTPS listeners on the one TLS port: ' +
        many
          .slice(0, 10)
          .map((l) => `infra/b/${l.name} (${l.hostname})`)
          .join(', ') +
        ' and 2 more; other certificates: ' +
        many
          .slice(0, 10)
          .map((l) => `infra/b/${l.name}`)
          .join(', ') +
        ' and 2 more',
    );
    expect(overlapping(t)).toHaveLength(13);
  });
});
