import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import type { Condition } from './gateway-api-conditions';
import {
  CONTROLLER,
  gateway,
  grpcRoute,
  httpListener,
  httpRoute,
  service,
  snapshot,
} from './gateway-api.fixture';
import type { GatewayApiSnapshot, GRPCRoute, RouteStatus } from './gateway-api-objects';
import type { Translation } from './gateway-api-model';
import { routeTableFromListener } from './route-table-from-listener';
import { type StatusUpdate, statusUpdates } from './status-updates';
import { translate } from './translate';

const ECHO = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';
const GROUP = 'gateway.networking.k8s.io';
const T0 = new Date('2026-12-01T10:00:00.123Z');

const brief = (conditions: readonly Condition[]) =>
  Object.fromEntries(conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

const parentsOf = (t: Translation, name: string, kind = 'GRPCRoute') =>
  t.status.routes
    .find((r) => r.route.name === name && r.kind === kind)
    ?.parents.map((p) => {
      const { Accepted, ResolvedRefs } = brief(p.conditions);
      return { ref: p.parentRef, Accepted, ResolvedRefs };
    });

const served = (t: Translation, listener = 'http') =>
  t.gateways[0]?.listeners
    .find((l) => l.name === listener)
    ?.hosts.map((h) => ({
      host: h.hostname,
      matches: h.matches.map(
        (m) => `${m.protocol ?? 'http'} ${m.source.route}.${m.source.rule}.${m.source.match}`,
      ),
    }));

const echoRoute = (name: string, spec: Partial<GRPCRoute['spec']> = {}, namespace?: string) =>
  grpcRoute(
    name,
    {
      parentRefs: [{ name: 'gw', namespace: 'infra' }],
      rules: [
        {
          matches: [{ method: { service: ECHO, method: 'Echo' } }],
          backendRefs: [{ name: 'echo', port: 8080 }],
        },
      ],
      ...spec,
    },
    { namespace },
  );

const objects = (parts: Partial<GatewayApiSnapshot> = {}) =>
  snapshot({
    gateways: [gateway('gw', [httpListener('http')])],
    services: [service('infra', 'echo')],
    gatewayAddresses: { 'infra/gw': [{ value: '10.96.0.10' }] },
    ...parts,
  });

const withGrpc = (s: GatewayApiSnapshot) => translate(s, CONTROLLER, { grpc: true });

describe('translate GRPCRoutes', () => {
  it('lists GRPCRoute as a supported kind of HTTP and HTTPS listeners only with grpc', () => {
    const s = objects({ gateways: [gateway('gw', [httpListener('http')])] });
    expect(withGrpc(s).status.gateways[0].listeners[0].supportedKinds).toEqual([
      { group: GROUP, kind: 'HTTPRoute' },
      { group: GROUP, kind: 'GRPCRoute' },
    ]);
    expect(translate(s, CONTROLLER).status.gateways[0].listeners[0].supportedKinds).toEqual([
      { group: GROUP, kind: 'HTTPRoute' },
    ]);
    const https = gateway('gw', [
      httpListener('https', { port: 443, protocol: 'HTTPS', tls: { certificateRefs: [] } }),
    ]);
    expect(
      translate(objects({ gateways: [https] }), CONTROLLER, { grpc: true, https: true }).status
        .gateways[0].listeners[0].supportedKinds,
    ).toEqual([
      { group: GROUP, kind: 'HTTPRoute' },
      { group: GROUP, kind: 'GRPCRoute' },
    ]);
  });

  it('without grpc, a GRPCRoute is NotAllowedByListeners and serves nothing', () => {
    const t = translate(objects({ grpcRoutes: [echoRoute('echo')] }), CONTROLLER);
    expect(parentsOf(t, 'echo')).toEqual([
      {
        ref: { name: 'gw', namespace: 'infra' },
        Accepted: 'False/NotAllowedByListeners',
        ResolvedRefs: 'True/ResolvedRefs',
      },
    ]);
    expect(served(t)).toEqual([]);
  });

  it('attaches a GRPCRoute, serving its matches and counting it in attachedRoutes with the HTTPRoutes', () => {
    const t = withGrpc(
      objects({
        grpcRoutes: [echoRoute('echo', { hostnames: ['grpc.example.com'] })],
        // An HTTPRoute of the same name is another route.
        httpRoutes: [
          httpRoute('echo', {
            parentRefs: [{ name: 'gw' }],
            hostnames: ['web.example.com'],
            rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }],
          }),
        ],
      }),
    );
    expect(parentsOf(t, 'echo')).toEqual([
      {
        ref: { name: 'gw', namespace: 'infra' },
        Accepted: 'True/Accepted',
        ResolvedRefs: 'True/ResolvedRefs',
      },
    ]);
    expect(t.status.routes.map((r) => `${r.kind} ${r.route.name}`)).toEqual([
      'HTTPRoute echo',
      'GRPCRoute echo',
    ]);
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(2);
    expect(served(t)).toEqual([
      { host: 'grpc.example.com', matches: ['grpc echo.0.0'] },
      { host: 'web.example.com', matches: ['http echo.0.0'] },
    ]);
    const grpc = t.gateways[0].listeners[0].hosts[0].matches[0];
    expect(grpc).toMatchObject({
      protocol: 'grpc',
      method: 'POST',
      path: { kind: 'exact', value: `/${ECHO}/Echo` },
      backends: [expect.objectContaining({ kind: 'service', weight: 1 })],
    });
  });

  it('honours allowedRoutes kinds and namespaces for GRPCRoutes', () => {
    const onlyHttp = httpListener('http', {
      allowedRoutes: { kinds: [{ kind: 'HTTPRoute' }], namespaces: { from: 'All' } },
    });
    const onlyGrpc = httpListener('grpc', {
      port: 8080,
      allowedRoutes: { kinds: [{ group: GROUP, kind: 'GRPCRoute' }] },
    });
    const t = withGrpc(
      objects({
        gateways: [gateway('gw', [onlyHttp, onlyGrpc])],
        grpcRoutes: [
          echoRoute('both'),
          echoRoute('http-only', {
            parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'http' }],
          }),
          echoRoute('elsewhere', {}, 'shop'),
        ],
      }),
    );
    expect(parentsOf(t, 'both')?.map((p) => p.Accepted)).toEqual(['True/Accepted']);
    expect(parentsOf(t, 'http-only')?.map((p) => p.Accepted)).toEqual([
      'False/NotAllowedByListeners',
    ]);
    // Same namespace only on the GRPCRoute listener: shop's route is not admitted there.
    expect(parentsOf(t, 'elsewhere')?.map((p) => p.Accepted)).toEqual([
      'False/NotAllowedByListeners',
    ]);
    expect(t.status.gateways[0].listeners.map((l) => [l.name, l.attachedRoutes])).toEqual([
      ['http', 0],
      ['grpc', 1],
    ]);
    expect(served(t, 'grpc')).toEqual([{ host: '*', matches: ['grpc both.0.0'] }]);
  });

  it('intersects host names with the listener’s, as for HTTPRoutes', () => {
    const t = withGrpc(
      objects({
        gateways: [
          gateway('gw', [
            httpListener('http', { hostname: '*.example.com' }),
            httpListener('other', { port: 8080, hostname: 'bar.com' }),
          ]),
        ],
        grpcRoutes: [
          echoRoute('wild', { hostnames: ['foo.example.com', '*.example.com', 'bar.net'] }),
          echoRoute('none', {
            hostnames: ['baz.net'],
            parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'other' }],
          }),
        ],
      }),
    );
    expect(served(t)).toEqual([
      { host: 'foo.example.com', matches: ['grpc wild.0.0'] },
      { host: '*.example.com', matches: ['grpc wild.0.0'] },
    ]);
    expect(parentsOf(t, 'none')?.map((p) => p.Accepted)).toEqual([
      'False/NoMatchingListenerHostname',
    ]);
  });

  it('keeps an unresolved backendRef as an invalid share (ResolvedRefs False) and refuses what it cannot serve', () => {
    const t = withGrpc(
      objects({
        grpcRoutes: [
          echoRoute('cross', {
            rules: [{ backendRefs: [{ name: 'echo', namespace: 'shop', port: 8080 }] }],
          }),
          echoRoute('method-only', {
            rules: [{ matches: [{ method: { method: 'Echo' } }] }],
          }),
        ],
      }),
    );
    expect(parentsOf(t, 'cross')?.map((p) => [p.Accepted, p.ResolvedRefs])).toEqual([
      ['True/Accepted', 'False/RefNotPermitted'],
    ]);
    expect(parentsOf(t, 'method-only')?.map((p) => [p.Accepted, p.ResolvedRefs])).toEqual([
      ['False/UnsupportedValue', 'True/ResolvedRefs'],
    ]);
    // A refused route still counts as attached.
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(2);
    expect(served(t)).toEqual([{ host: '*', matches: ['grpc cross.0.0'] }]);
  });

  it('orders rules of one GRPCRoute by precedence: service and method before service alone', () => {
    const t = withGrpc(
      objects({
        grpcRoutes: [
          echoRoute('echo', {
            rules: [
              { matches: [{}] },
              { matches: [{ method: { service: ECHO } }] },
              { matches: [{ method: { service: ECHO, method: 'Echo' } }] },
            ],
          }),
        ],
      }),
    );
    expect(served(t)).toEqual([
      { host: '*', matches: ['grpc echo.2.0', 'grpc echo.1.0', 'grpc echo.0.0'] },
    ]);
  });

  it('accepts only one of an HTTPRoute and a GRPCRoute whose host names meet on a listener: the older, then by namespace/name', () => {
    const http = (name: string, hostnames: string[], created?: string) =>
      httpRoute(
        name,
        {
          parentRefs: [{ name: 'gw' }],
          hostnames,
          rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }],
        },
        { created },
      );
    const grpc = (name: string, hostnames: string[], created?: string) =>
      grpcRoute(
        name,
        {
          parentRefs: [{ name: 'gw' }],
          hostnames,
          rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }],
        },
        { created },
      );
    const t = withGrpc(
      objects({
        httpRoutes: [
          http('web', ['a.example.com'], '2026-01-02T00:00:00Z'),
          http('site', ['b.example.com'], '2026-01-01T00:00:00Z'),
          http('apart', ['c.example.com']),
          http('late', ['e.example.org']),
        ],
        grpcRoutes: [
          // Newer than apart, whose c.example.com its *.example.com takes: api loses.
          grpc('api', ['*.example.com'], '2026-01-01T12:00:00Z'),
          // As old as site, and after it by namespace/name: svc loses.
          grpc('svc', ['b.example.com'], '2026-01-01T00:00:00Z'),
          grpc('other', ['d.example.net']),
          // Older than late: late loses.
          grpc('early', ['e.example.org'], '2025-12-01T00:00:00Z'),
        ],
      }),
    );
    const accepted = (name: string, kind: string) =>
      parentsOf(t, name, kind)?.map((p) => p.Accepted);
    // api lost the listener to apart, so web, though newer than api, keeps it.
    expect(accepted('web', 'HTTPRoute')).toEqual(['True/Accepted']);
    expect(accepted('site', 'HTTPRoute')).toEqual(['True/Accepted']);
    expect(accepted('apart', 'HTTPRoute')).toEqual(['True/Accepted']);
    expect(accepted('api', 'GRPCRoute')).toEqual(['False/NotAllowedByListeners']);
    expect(accepted('svc', 'GRPCRoute')).toEqual(['False/NotAllowedByListeners']);
    expect(accepted('other', 'GRPCRoute')).toEqual(['True/Accepted']);
    expect(accepted('early', 'GRPCRoute')).toEqual(['True/Accepted']);
    expect(accepted('late', 'HTTPRoute')).toEqual(['False/NotAllowedByListeners']);
    expect(
      t.status.routes.find((x) => x.route.name === 'late')?.parents[0].conditions[0].message,
    ).toBe('a GRPCRoute with hostnames in common takes precedence on the listener');
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(5);
    expect(served(t)?.map((h) => h.host)).toEqual([
      'a.example.com',
      'b.example.com',
      'c.example.com',
      'd.example.net',
      'e.example.org',
    ]);
  });

  it('lets an HTTPRoute and a GRPCRoute share a listener when their host names do not meet', () => {
    const t = withGrpc(
      objects({
        httpRoutes: [
          httpRoute('web', { parentRefs: [{ name: 'gw' }], hostnames: ['web.example.com'] }),
        ],
        grpcRoutes: [echoRoute('api', { hostnames: ['api.example.com'] })],
      }),
    );
    expect(parentsOf(t, 'web', 'HTTPRoute')?.map((p) => p.Accepted)).toEqual(['True/Accepted']);
    expect(parentsOf(t, 'api')?.map((p) => p.Accepted)).toEqual(['True/Accepted']);
    expect(t.status.gateways[0].listeners[0].attachedRoutes).toBe(2);
  });

  it('serves gRPC matches in the listener’s route table as POSTs of their paths, marked grpc', () => {
    const t = withGrpc(
      objects({
        grpcRoutes: [
          echoRoute('echo', {
            hostnames: ['grpc.example.com'],
            rules: [
              {
                matches: [{ method: { service: 'echo.Echo', method: 'Say' } }],
                backendRefs: [{ name: 'echo', port: 8080 }],
              },
            ],
          }),
        ],
        httpRoutes: [
          httpRoute('echo', {
            parentRefs: [{ name: 'gw' }],
            hostnames: ['web.example.com'],
            rules: [{ backendRefs: [{ name: 'echo', port: 8080 }] }],
          }),
        ],
      }),
    );
    const { table, unsupported } = routeTableFromListener(
      t.gateways[0].listeners[0],
      TEST_DEFAULTS,
    );
    expect(unsupported).toEqual([]);
    expect(
      table.routes.map((r) => [r.name, r.protocol, r.match.methods, r.match.path, r.match.hosts]),
    ).toEqual([
      [
        'infra.echo.0.0',
        undefined,
        expect.arrayContaining(['GET']),
        expect.anything(),
        ['web.example.com'],
      ],
      [
        'infra.echo.0.0.grpc',
        'grpc',
        ['POST'],
        expect.objectContaining({ kind: 'exact', path: '/echo.Echo/Say' }),
        ['grpc.example.com'],
      ],
    ]);
  });
});

describe('statusUpdates of GRPCRoutes', () => {
  const ofKind = <K extends StatusUpdate['kind']>(updates: StatusUpdate[], kind: K) =>
    updates.filter((u): u is Extract<StatusUpdate, { kind: K }> => u.kind === kind);
  const updatesOf = (s: GatewayApiSnapshot) =>
    ofKind(statusUpdates(s, withGrpc(s), CONTROLLER, T0), 'GRPCRoute');

  it('writes the GRPCRoutes’ parent statuses as for HTTPRoutes, keeping other controllers’ entries', () => {
    const theirs: RouteStatus['parents'] = [
      { parentRef: { name: 'their-gw' }, controllerName: 'other.io/controller', conditions: [] },
    ];
    const route: GRPCRoute = { ...echoRoute('echo'), status: { parents: theirs } };
    const updates = updatesOf(objects({ grpcRoutes: [route] }));
    expect(updates).toHaveLength(1);
    const [update] = updates;
    expect(update.kind).toBe('GRPCRoute');
    expect(update.object).toBe(route);
    expect(update.status.parents).toEqual([
      ...theirs,
      {
        parentRef: { group: GROUP, kind: 'Gateway', name: 'gw', namespace: 'infra' },
        controllerName: CONTROLLER,
        conditions: [
          expect.objectContaining({
            type: 'Accepted',
            status: 'True',
            reason: 'Accepted',
            observedGeneration: 2,
            lastTransitionTime: '2026-12-01T10:00:00Z',
          }),
          expect.objectContaining({ type: 'ResolvedRefs', status: 'True' }),
        ],
      },
    ]);
    // Written back, it asks for nothing more.
    const stored = { ...route, status: update.status };
    expect(updatesOf(objects({ grpcRoutes: [stored] }))).toEqual([]);
  });

  it('never gives an HTTPRoute a GRPCRoute’s status of the same name, nor the other way', () => {
    const s = objects({
      grpcRoutes: [echoRoute('echo')],
      httpRoutes: [httpRoute('echo', { parentRefs: [{ name: 'gw', sectionName: 'missing' }] })],
    });
    const updates = statusUpdates(s, withGrpc(s), CONTROLLER, T0);
    const grpc = ofKind(updates, 'GRPCRoute');
    const http = ofKind(updates, 'HTTPRoute');
    expect(grpc.map((u) => u.status.parents?.map((p) => p.conditions?.[0].reason))).toEqual([
      ['Accepted'],
    ]);
    expect(http.map((u) => u.status.parents?.map((p) => p.conditions?.[0].reason))).toEqual([
      ['NoMatchingParent'],
    ]);
  });

  it('writes nothing for GRPCRoutes of other controllers', () => {
    const s = objects({
      grpcRoutes: [echoRoute('echo', { parentRefs: [{ name: 'their-gw' }] })],
    });
    expect(updatesOf(s)).toEqual([]);
  });
});
