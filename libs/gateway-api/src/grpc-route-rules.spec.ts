import { resolveBackendRef } from './backend-references';
import { grpcRoute, service, serviceGrant } from './gateway-api.fixture';
import type { GRPCRoute, GRPCRouteRule } from './gateway-api-objects';
import { grpcPath, translateGrpcRouteRules } from './grpc-route-rules';

const SERVICES = [service('infra', 'echo'), service('shop', 'echo')];
const ECHO = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';

const rulesOf = (rules: GRPCRoute['spec']['rules']) =>
  translateGrpcRouteRules(grpcRoute('echo', { rules }), {
    referenceGrants: [],
    services: SERVICES,
    endpointSlices: [],
  });

const rule = (extra: Partial<GRPCRouteRule>): GRPCRouteRule => ({
  backendRefs: [{ name: 'echo', port: 8080 }],
  ...extra,
});

describe('grpcPath', () => {
  it('maps service and method to an Exact path, a service alone to a Prefix, none to every path', () => {
    expect(grpcPath({ method: { service: ECHO, method: 'Echo' } })).toEqual({
      ok: true,
      path: { kind: 'exact', value: `/${ECHO}/Echo` },
    });
    expect(grpcPath({ method: { type: 'Exact', service: ECHO } })).toEqual({
      ok: true,
      path: { kind: 'prefix', value: `/${ECHO}/` },
    });
    expect(grpcPath({})).toEqual({ ok: true, path: { kind: 'prefix', value: '/' } });
    expect(grpcPath({ headers: [{ name: 'version', value: 'one' }] })).toEqual({
      ok: true,
      path: { kind: 'prefix', value: '/' },
    });
  });

  it('cannot serve a method without a service, or RegularExpression matches', () => {
    expect(grpcPath({ method: { method: 'Echo' } })).toEqual({
      ok: false,
      message: 'method matches without a service are not supported',
    });
    expect(grpcPath({ method: { type: 'RegularExpression', service: 'foo\\..*' } })).toEqual({
      ok: false,
      message: 'RegularExpression method matches are not supported',
    });
    expect(
      grpcPath({
        method: { service: ECHO },
        headers: [{ type: 'RegularExpression', name: 'v', value: '.*' }],
      }),
    ).toEqual({ ok: false, message: 'RegularExpression header matches are not supported' });
  });
});

describe('translateGrpcRouteRules', () => {
  it('makes each rule x match an HTTP/2 POST match marked grpc, with header matches', () => {
    const t = rulesOf([
      rule({
        name: 'one',
        matches: [
          { method: { service: ECHO, method: 'Echo' } },
          {
            method: { service: ECHO },
            headers: [
              { name: 'Version', value: 'two' },
              { name: 'version', value: 'ignored' },
            ],
          },
        ],
      }),
      rule({}),
    ]);
    expect(t.accepted).toMatchObject({ ok: true, reason: 'Accepted' });
    expect(t.resolvedRefs).toMatchObject({ ok: true, reason: 'ResolvedRefs' });
    expect(
      t.matches.map((m) => ({
        protocol: m.protocol,
        kind: m.source.kind,
        rule: `${m.source.rule}.${m.source.match}:${m.source.ruleName}`,
        path: `${m.path.kind} ${m.path.value}`,
        method: m.method,
        headers: m.headers,
        queryParams: m.queryParams,
      })),
    ).toEqual([
      {
        protocol: 'grpc',
        kind: 'GRPCRoute',
        rule: '0.0:one',
        path: `exact /${ECHO}/Echo`,
        method: 'POST',
        headers: [],
        queryParams: [],
      },
      {
        protocol: 'grpc',
        kind: 'GRPCRoute',
        rule: '0.1:one',
        path: `prefix /${ECHO}/`,
        method: 'POST',
        headers: [{ name: 'version', value: 'two' }],
        queryParams: [],
      },
      {
        protocol: 'grpc',
        kind: 'GRPCRoute',
        rule: '1.0:null',
        path: 'prefix /',
        method: 'POST',
        headers: [],
        queryParams: [],
      },
    ]);
    expect(t.matches[0].timeouts).toEqual({ requestMs: null, backendRequestMs: null });
  });

  it('takes weighted backends and the two header modifier filters, on the rule and the backendRef', () => {
    const t = rulesOf([
      {
        filters: [
          {
            type: 'RequestHeaderModifier',
            requestHeaderModifier: { set: [{ name: 'X-A', value: '1' }] },
          },
          { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['x-b'] } },
        ],
        backendRefs: [
          { name: 'echo', port: 8080, weight: 3 },
          {
            name: 'echo',
            namespace: 'shop',
            port: 8080,
            weight: 0,
            filters: [
              {
                type: 'RequestHeaderModifier',
                requestHeaderModifier: { add: [{ name: 'x-c', value: '2' }] },
              },
            ],
          },
        ],
      },
    ]);
    // shop/echo without a ReferenceGrant from GRPCRoutes of infra: an invalid share.
    expect(t.accepted.ok).toBe(true);
    expect(t.resolvedRefs).toMatchObject({ ok: false, reason: 'RefNotPermitted' });
    expect(t.matches[0].filters.requestHeaders).toEqual({
      set: [{ name: 'x-a', value: '1' }],
      add: [],
      remove: [],
    });
    expect(t.matches[0].filters.responseHeaders).toEqual({ set: [], add: [], remove: ['x-b'] });
    expect(t.matches[0].backends).toEqual([
      expect.objectContaining({
        kind: 'service',
        weight: 3,
        service: { namespace: 'infra', name: 'echo', port: 8080 },
      }),
      expect.objectContaining({ kind: 'invalid', weight: 0 }),
    ]);
  });

  it('resolves backendRefs as an HTTPRoute does: InvalidKind, BackendNotFound, the first failure named', () => {
    const t = rulesOf([
      {
        backendRefs: [
          { name: 'echo', port: 9999 },
          { group: 'example.com', kind: 'Thing', name: 'x' },
        ],
      },
    ]);
    expect(t.accepted.ok).toBe(true);
    expect(t.resolvedRefs).toMatchObject({ ok: false, reason: 'BackendNotFound' });
    expect(t.matches[0].backends.map((b) => b.kind)).toEqual(['invalid', 'invalid']);
    const kind = rulesOf([{ backendRefs: [{ group: 'example.com', kind: 'Thing', name: 'x' }] }]);
    expect(kind.resolvedRefs).toMatchObject({ ok: false, reason: 'InvalidKind' });
  });

  it('refuses the route (UnsupportedValue) for a match or filter it cannot serve, serving nothing', () => {
    for (const rules of [
      [rule({ matches: [{ method: { method: 'Echo' } }] })],
      [rule({ matches: [{ method: { type: 'RegularExpression', service: '.*' } }] })],
      [rule({ matches: [{ headers: [{ type: 'RegularExpression', name: 'a', value: '.*' }] }] })],
      [rule({ filters: [{ type: 'RequestMirror' }] })],
      [rule({ filters: [{ type: 'ExtensionRef' }] })],
      [
        rule({
          backendRefs: [{ name: 'echo', port: 8080, filters: [{ type: 'RequestMirror' }] }],
        }),
      ],
    ] as GRPCRouteRule[][]) {
      const t = rulesOf([rule({}), ...rules]);
      expect(t.accepted).toMatchObject({ ok: false, reason: 'UnsupportedValue' });
      expect(t.accepted.message).toMatch(/^rule 1/);
      expect(t.matches).toEqual([]);
    }
  });
});

describe('resolveBackendRef for a GRPCRoute', () => {
  it('takes a ReferenceGrant from GRPCRoutes, not one from HTTPRoutes', () => {
    const ref = { name: 'echo', namespace: 'shop', port: 8080 };
    const objects = (grant: ReturnType<typeof serviceGrant>) => ({
      referenceGrants: [grant],
      services: SERVICES,
      endpointSlices: [],
    });
    const grpcGrant = serviceGrant('shop', 'infra', undefined, 'GRPCRoute');
    const httpGrant = serviceGrant('shop', 'infra');
    expect(
      resolveBackendRef(ref, 'infra', objects(grpcGrant), undefined, 'GRPCRoute'),
    ).toMatchObject({
      ok: true,
    });
    const refused = resolveBackendRef(ref, 'infra', objects(httpGrant), undefined, 'GRPCRoute');
    expect(refused).toMatchObject({ ok: false, reason: 'RefNotPermitted' });
    expect(refused.ok ? '' : refused.message).toContain('GRPCRoutes of infra');
    expect(resolveBackendRef(ref, 'infra', objects(grpcGrant))).toMatchObject({
      ok: false,
      reason: 'RefNotPermitted',
    });
  });
});
