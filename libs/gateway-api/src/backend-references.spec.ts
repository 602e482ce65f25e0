import { resolveBackendRef } from './backend-references';
import { service, serviceGrant } from './gateway-api.fixture';
import type { EndpointSlice, ReferenceGrant } from './gateway-api-objects';

const services = [service('shop', 'web', [8080]), service('infra', 'local', [80])];
const none = { referenceGrants: [], services, endpointSlices: [] };

describe('resolveBackendRef', () => {
  it('resolves a Service of the same namespace without a grant', () => {
    expect(resolveBackendRef({ name: 'local', port: 80 }, 'infra', none)).toEqual({
      ok: true,
      namespace: 'infra',
      name: 'local',
      port: 80,
      endpoints: [],
    });
  });

  it('refuses a Service of another namespace without a ReferenceGrant there (RefNotPermitted)', () => {
    const grantElsewhere = serviceGrant('infra', 'infra');
    const result = resolveBackendRef({ name: 'web', namespace: 'shop', port: 8080 }, 'infra', {
      ...none,
      referenceGrants: [grantElsewhere],
    });
    expect(result).toMatchObject({ ok: false, reason: 'RefNotPermitted' });
  });

  it('allows it with a grant for HTTPRoutes of the route namespace, for all Services or that one', () => {
    for (const grant of [serviceGrant('shop', 'infra'), serviceGrant('shop', 'infra', 'web')]) {
      expect(
        resolveBackendRef({ name: 'web', namespace: 'shop', port: 8080 }, 'infra', {
          ...none,
          referenceGrants: [grant],
        }),
      ).toMatchObject({ ok: true, namespace: 'shop', name: 'web' });
    }
  });

  it('refuses with a grant that names another Service, another source namespace or another kind', () => {
    const otherKind: ReferenceGrant = {
      metadata: { namespace: 'shop', name: 'grpc-only' },
      spec: {
        from: [{ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'infra' }],
        to: [{ group: '', kind: 'Service' }],
      },
    };
    for (const grant of [
      serviceGrant('shop', 'infra', 'api'),
      serviceGrant('shop', 'lab'),
      otherKind,
    ]) {
      expect(
        resolveBackendRef({ name: 'web', namespace: 'shop', port: 8080 }, 'infra', {
          ...none,
          referenceGrants: [grant],
        }),
      ).toMatchObject({ ok: false, reason: 'RefNotPermitted' });
    }
  });

  it('refuses kinds other than core Service (InvalidKind), before looking at grants', () => {
    expect(
      resolveBackendRef(
        { name: 'x', kind: 'ServiceImport', group: 'multicluster.x-k8s.io', port: 80 },
        'infra',
        none,
      ),
    ).toMatchObject({ ok: false, reason: 'InvalidKind' });
    expect(
      resolveBackendRef({ name: 'x', kind: 'Pod', namespace: 'shop', port: 80 }, 'infra', none),
    ).toMatchObject({ ok: false, reason: 'InvalidKind' });
  });

  it('reports a missing Service or port as BackendNotFound', () => {
    expect(resolveBackendRef({ name: 'gone', port: 80 }, 'infra', none)).toMatchObject({
      ok: false,
      reason: 'BackendNotFound',
    });
    expect(resolveBackendRef({ name: 'local', port: 81 }, 'infra', none)).toMatchObject({
      ok: false,
      reason: 'BackendNotFound',
    });
    expect(resolveBackendRef({ name: 'local' }, 'infra', none)).toMatchObject({
      ok: false,
      reason: 'BackendNotFound',
    });
  });

  it('lists the ready endpoints of that Service port from its EndpointSlices', () => {
    const slice = (name: string, extra: Partial<EndpointSlice>): EndpointSlice => ({
      metadata: { namespace: 'shop', name, labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'p8080', port: 9000 }],
      ...extra,
    });
    const endpointSlices: EndpointSlice[] = [
      slice('a', {
        endpoints: [
          { addresses: ['10.0.0.2'], conditions: { ready: true } },
          { addresses: ['10.0.0.1'] },
          { addresses: ['10.0.0.3'], conditions: { ready: false, terminating: true } },
        ],
      }),
      slice('b', { endpoints: [{ addresses: ['10.0.0.1'] }] }),
      slice('v6', { addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }] }),
      slice('other-port', {
        ports: [{ name: 'metrics', port: 9100 }],
        endpoints: [{ addresses: ['10.0.0.9'] }],
      }),
      {
        ...slice('other-service', { endpoints: [{ addresses: ['10.0.0.8'] }] }),
        metadata: { namespace: 'shop', name: 'x', labels: { 'kubernetes.io/service-name': 'api' } },
      },
    ];
    const result = resolveBackendRef({ name: 'web', port: 8080 }, 'shop', {
      ...none,
      endpointSlices,
    });
    expect(result).toMatchObject({
      ok: true,
      endpoints: ['10.0.0.1:9000', '10.0.0.2:9000', '[fd00::1]:9000'],
    });
  });
});
