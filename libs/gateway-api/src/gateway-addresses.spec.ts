import { gateway, httpListener, service, snapshot } from './gateway-api.fixture';
import type { Service } from './gateway-api-objects';
import { serviceAddresses, withFrontServiceAddresses } from './gateway-addresses';

const front = (spec: Partial<Service['spec']>, status?: Service['status']): Service => ({
  ...service('gs', 'gateway'),
  spec: { ...service('gs', 'gateway').spec, ...spec },
  ...(status ? { status } : {}),
});

describe('serviceAddresses', () => {
  it('is the cluster IP of a ClusterIP Service, and nothing for a headless one', () => {
    expect(serviceAddresses(front({ clusterIP: '10.96.0.7' }))).toEqual([
      { type: 'IPAddress', value: '10.96.0.7' },
    ]);
    expect(serviceAddresses(front({ clusterIP: 'None' }))).toEqual([]);
  });

  it("is the load balancer's addresses once it has them", () => {
    const balanced = front(
      { type: 'LoadBalancer', clusterIP: '10.96.0.7' },
      { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { hostname: 'lb.example.com' }] } },
    );
    expect(serviceAddresses(balanced)).toEqual([
      { type: 'IPAddress', value: '192.0.2.1' },
      { type: 'Hostname', value: 'lb.example.com' },
    ]);
  });
});

describe('withFrontServiceAddresses', () => {
  it("gives every Gateway the front Service's address, none while it is not listed", () => {
    const gateways = [gateway('a', [httpListener('http')]), gateway('b', [httpListener('http')])];
    const listed = snapshot({ gateways, services: [front({ clusterIP: '10.96.0.7' })] });
    const ref = { namespace: 'gs', name: 'gateway' };
    expect(withFrontServiceAddresses(listed, ref).gatewayAddresses).toEqual({
      'infra/a': [{ type: 'IPAddress', value: '10.96.0.7' }],
      'infra/b': [{ type: 'IPAddress', value: '10.96.0.7' }],
    });
    expect(
      withFrontServiceAddresses(snapshot({ gateways }), ref).gatewayAddresses?.['infra/a'],
    ).toEqual([]);
  });
});
