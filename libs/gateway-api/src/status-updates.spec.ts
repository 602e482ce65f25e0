import {
  CONTROLLER,
  gateway,
  gatewayClass,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from './gateway-api.fixture';
import type { GatewayApiSnapshot, GatewayStatus, HTTPRoute } from './gateway-api-objects';
import { type StatusUpdate, statusUpdates } from './status-updates';
import { supportedFeatures } from './supported-features';
import { httpsListener, tlsSecret } from './tls.fixture';
import { translate } from './translate';

const T0 = new Date('2026-12-01T10:00:00.123Z');
const T1 = new Date('2026-12-01T10:05:00Z');

const routeTo = (name: string, parents: HTTPRoute['spec']['parentRefs']) =>
  httpRoute(name, {
    parentRefs: parents,
    rules: [{ backendRefs: [{ name: 'web', port: 8080 }] }],
  });

const objects = (parts: Partial<GatewayApiSnapshot> = {}) =>
  snapshot({
    gateways: [gateway('gw', [httpListener('http')])],
    httpRoutes: [routeTo('shop', [{ name: 'gw' }])],
    services: [service('infra', 'web')],
    gatewayAddresses: { 'infra/gw': [{ value: '10.96.0.10' }] },
    ...parts,
  });

const updatesOf = (s: GatewayApiSnapshot, now: Date) =>
  statusUpdates(s, translate(s, CONTROLLER), CONTROLLER, now);

/**
 * The snapshot after the API server stored the updates and the watch brought them back: JSON
 * round-tripped with object keys in another order, as the API server's serializer writes them.
 */
function written(s: GatewayApiSnapshot, updates: readonly StatusUpdate[]): GatewayApiSnapshot {
  const reversed = (value: unknown): unknown =>
    JSON.parse(
      JSON.stringify(value, (_, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).reverse())
          : v,
      ),
    );
  const statusOf = (kind: string, meta: { namespace?: string; name: string }) =>
    updates.find(
      (u) =>
        u.kind === kind &&
        u.object.metadata.name === meta.name &&
        u.object.metadata.namespace === meta.namespace,
    )?.status;
  const withStatus = <
    O extends { metadata: { namespace?: string; name: string }; status?: unknown },
  >(
    kind: string,
    list: readonly O[],
  ): O[] =>
    list.map((o) => {
      const status = statusOf(kind, o.metadata);
      return status === undefined ? o : ({ ...o, status: reversed(status) } as O);
    });
  return {
    ...s,
    gatewayClasses: withStatus('GatewayClass', s.gatewayClasses),
    gateways: withStatus('Gateway', s.gateways),
    httpRoutes: withStatus('HTTPRoute', s.httpRoutes),
  };
}

describe('statusUpdates', () => {
  it("says the class's supported features, sorted, once: written back, they ask for nothing", () => {
    const s = objects();
    const options = { grpc: true, gatewayAddresses: true };
    const once = statusUpdates(s, translate(s, CONTROLLER, options), CONTROLLER, T0);
    const features = (once[0].status as { supportedFeatures: { name: string }[] })
      .supportedFeatures;
    expect(features.map((f) => f.name)).toEqual(supportedFeatures(options));
    expect(features.map((f) => f.name)).toContain('GatewayPort8080');
    const back = written(s, once);
    expect(statusUpdates(back, translate(back, CONTROLLER, options), CONTROLLER, T1)).toEqual([]);
    // Without the per-Gateway listeners the class no longer claims what needs them.
    const fewer = statusUpdates(back, translate(back, CONTROLLER, { grpc: true }), CONTROLLER, T1);
    expect(fewer.map((u) => u.kind)).toEqual(['GatewayClass']);
    expect(
      (fewer[0].status as { supportedFeatures: { name: string }[] }).supportedFeatures.map(
        (f) => f.name,
      ),
    ).not.toContain('GatewayPort8080');
  });

  it('writes the class, the Gateway and the route once, stamped with the time of the change', () => {
    const updates = updatesOf(objects(), T0);
    expect(updates.map((u) => `${u.kind} ${u.object.metadata.name}`)).toEqual([
      'GatewayClass ours',
      'Gateway gw',
      'HTTPRoute shop',
    ]);
    const gw = updates[1].status as {
      addresses: unknown;
      conditions: { type: string; status: string; lastTransitionTime: string }[];
      listeners: { name: string; attachedRoutes: number; supportedKinds: unknown }[];
    };
    expect(gw.addresses).toEqual([{ type: 'IPAddress', value: '10.96.0.10' }]);
    expect(gw.conditions.map((c) => `${c.type}=${c.status} ${c.lastTransitionTime}`)).toEqual([
      'Accepted=True 2026-12-01T10:00:00Z',
      'Programmed=True 2026-12-01T10:00:00Z',
    ]);
    expect(gw.listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([['http', 1]]);
    expect(gw.listeners[0].supportedKinds).toContainEqual({
      group: 'gateway.networking.k8s.io',
      kind: 'HTTPRoute',
    });
    const route = updates[2].status as {
      parents: { parentRef: unknown; controllerName: string }[];
    };
    expect(route.parents.map((p) => [p.parentRef, p.controllerName])).toEqual([
      [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'gw' }, CONTROLLER],
    ]);
  });

  it('asks for nothing once what it wrote comes back through the watch, whatever the key order', () => {
    const before = objects();
    const after = written(before, updatesOf(before, T0));
    expect(updatesOf(after, T1)).toEqual([]);
  });

  it('moves lastTransitionTime only for a condition whose status changed', () => {
    const first = written(objects(), updatesOf(objects(), T0));
    // The Gateway loses its address: Programmed turns False, Accepted stays True.
    const changed = updatesOf({ ...first, gatewayAddresses: {} }, T1);
    const gw = changed.find((u) => u.kind === 'Gateway')?.status as GatewayStatus;
    expect(
      (gw.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.lastTransitionTime}`),
    ).toEqual(['Accepted=True 2026-12-01T10:00:00Z', 'Programmed=False 2026-12-01T10:05:00Z']);
    expect(changed.map((u) => u.kind)).toEqual(['Gateway']);
  });

  it("keeps other controllers' parent entries and drops its own for a parentRef that is gone", () => {
    const theirs = {
      parentRef: { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'their-gw' },
      controllerName: 'other.io/controller',
      conditions: [],
    };
    const first = written(objects(), updatesOf(objects(), T0));
    const shop = first.httpRoutes[0];
    const moved: HTTPRoute = {
      ...shop,
      spec: { ...shop.spec, parentRefs: [{ name: 'their-gw' }] },
      status: { parents: [theirs, ...(shop.status?.parents ?? [])] },
    };
    const updates = updatesOf({ ...first, httpRoutes: [moved] }, T1);
    const route = updates.find((u) => u.kind === 'HTTPRoute');
    expect(route?.status).toEqual({ parents: [theirs] });
  });

  it('leaves a route alone that only other controllers serve', () => {
    const s = objects({
      gateways: [gateway('their-gw', [httpListener('http')], { className: 'theirs' })],
      gatewayClasses: [gatewayClass(), gatewayClass('theirs', 'other.io/controller')],
      httpRoutes: [routeTo('elsewhere', [{ name: 'their-gw' }])],
    });
    expect(updatesOf(s, T0).map((u) => u.kind)).toEqual(['GatewayClass']);
  });

  describe('OverlappingTLSConfig, set only while True', () => {
    const shop = (hostname: string) =>
      gateway('b', [httpsListener('https', [{ name: 'cert' }], { hostname })]);
    const https = (b: ReturnType<typeof gateway>) =>
      snapshot({
        gateways: [
          gateway('a', [httpsListener('https', [{ name: 'cert' }], { hostname: '*.example.com' })]),
          b,
        ],
        secrets: [tlsSecret('infra', 'cert')],
        gatewayAddresses: {
          'infra/a': [{ value: '10.96.0.10' }],
          'infra/b': [{ value: '10.96.0.10' }],
        },
      });
    const httpsUpdates = (s: GatewayApiSnapshot, now: Date) =>
      statusUpdates(s, translate(s, CONTROLLER, { https: true }), CONTROLLER, now);
    const listenerConditions = (updates: readonly StatusUpdate[], name: string) =>
      (
        updates.find((u) => u.kind === 'Gateway' && u.object.metadata.name === name)?.status as
          GatewayStatus | undefined
      )?.listeners?.[0].conditions?.map((c) => `${c.type}=${c.status} ${c.lastTransitionTime}`);

    it('writes it last, asks for nothing once read back, and drops it when the overlap ends', () => {
      const before = https(shop('shop.example.com'));
      const updates = httpsUpdates(before, T0);
      expect(listenerConditions(updates, 'b')).toEqual([
        'Accepted=True 2026-12-01T10:00:00Z',
        'Conflicted=False 2026-12-01T10:00:00Z',
        'ResolvedRefs=True 2026-12-01T10:00:00Z',
        'Programmed=True 2026-12-01T10:00:00Z',
        'OverlappingTLSConfig=True 2026-12-01T10:00:00Z',
      ]);
      const first = written(before, updates);
      expect(httpsUpdates(first, T1)).toEqual([]);

      // b's listener moves to a host name *.example.com does not take: both lose the condition.
      const moved = {
        ...first,
        gateways: [
          first.gateways[0],
          { ...shop('shop.example.org'), status: first.gateways[1].status },
        ],
      };
      const second = httpsUpdates(moved, T1);
      expect(second.map((u) => `${u.kind} ${u.object.metadata.name}`)).toEqual([
        'Gateway a',
        'Gateway b',
      ]);
      expect(listenerConditions(second, 'a')).toEqual([
        'Accepted=True 2026-12-01T10:00:00Z',
        'Conflicted=False 2026-12-01T10:00:00Z',
        'ResolvedRefs=True 2026-12-01T10:00:00Z',
        'Programmed=True 2026-12-01T10:00:00Z',
      ]);
      expect(httpsUpdates(written(moved, second), T1)).toEqual([]);
    });
  });
});
