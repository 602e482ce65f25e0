import { CONTROLLER, gateway, httpListener, snapshot } from './gateway-api.fixture';
import type { Translation } from './gateway-api-model';
import type { Gateway, Listener, Service } from './gateway-api-objects';
import { allocateGatewayPorts, gatewayPortKey } from './gateway-ports';
import {
  desiredGatewayServices,
  GATEWAY_NAME_LABEL,
  gatewayListenerPorts,
  gatewayNameLabel,
  gatewayPortAllocation,
  gatewayServiceChanges,
  gatewayServiceName,
  type GatewayServiceOptions,
  gatewayServicePlan,
  MANAGED_BY_LABEL,
  managedByValue,
  previousTargetPorts,
  withGatewayServiceAddresses,
} from './gateway-services';
import { translate } from './translate';

const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const RANGE = { from: 20000, to: 29999 };
const AVOID = [8080, 8443, 9901];
/** The gateway pods' Service, in the gateway's namespace. */
const FRONT: Service = {
  metadata: { namespace: 'gs-system', name: 'gs-gateway', uid: 'front-uid' },
  spec: {
    type: 'LoadBalancer',
    clusterIP: '10.96.0.2',
    selector: { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/instance': 'gs' },
    ports: [{ port: 80, targetPort: 8080 }],
  },
};
const NAMESPACE = 'gs-system';
const OPTIONS: GatewayServiceOptions = { controllerName: CONTROLLER, front: FRONT };

function owned(name: string, listeners: readonly Listener[], namespace = 'infra'): Gateway {
  const g = gateway(name, listeners, { namespace });
  return { ...g, metadata: { ...g.metadata, uid: `uid-${namespace}-${name}` } };
}

/** The Services the leader would want, and the allocation the pods would serve, for `gateways`. */
function plan(gateways: readonly Gateway[], services: readonly Service[] = []) {
  const translation = translate(snapshot({ gateways, services }), CONTROLLER);
  const allocation = gatewayPortAllocation(translation, gateways, services, {
    controllerName: CONTROLLER,
    namespace: NAMESPACE,
    range: RANGE,
    avoid: AVOID,
  });
  return {
    translation,
    allocation,
    desired: desiredGatewayServices(translation, allocation, OPTIONS),
  };
}

/** A desired Service as the API server lists it back: with what it adds. */
function asListed(service: Service): Service {
  return {
    ...service,
    metadata: {
      ...service.metadata,
      resourceVersion: '17',
      uid: 'service-uid',
      labels: { ...service.metadata.labels, extra: 'kept' },
    },
    spec: {
      ...service.spec,
      clusterIP: '10.96.0.12',
      ports: service.spec.ports?.map((p) => ({ ...p, nodePort: 31000 + p.port })),
    },
  };
}

describe('names', () => {
  it('names a Service <namespace>-<gateway>-<hash>: Gateways of every namespace meet in one', () => {
    expect(gatewayServiceName({ namespace: 'infra', name: 'same-namespace' })).toMatch(
      /^infra-same-namespace-[0-9a-f]{8}$/,
    );
    expect(gatewayServiceName({ namespace: 'a-b', name: 'c' })).not.toBe(
      gatewayServiceName({ namespace: 'a', name: 'b-c' }),
    );
  });

  it('makes a DNS-1035 label of any namespace and Gateway name', () => {
    const dotted = gatewayServiceName({ namespace: 'infra', name: 'a.b' });
    expect(dotted).toMatch(/^infra-a-b-[0-9a-f]{8}$/);
    expect(dotted).not.toBe(gatewayServiceName({ namespace: 'infra', name: 'a-b' }));
    expect(gatewayServiceName({ namespace: '1st', name: 'gw' })).toMatch(/^gw-1st-gw-[0-9a-f]{8}$/);
    const long = 'g'.repeat(250);
    const [one, two] = [
      gatewayServiceName({ namespace: 'infra', name: `${long}1` }),
      gatewayServiceName({ namespace: 'infra', name: `${long}2` }),
    ];
    for (const name of [dotted, one, two]) {
      expect(name).toMatch(DNS_1035);
      expect(name.length).toBeLessThanOrEqual(63);
    }
    expect(one).not.toBe(two);
  });

  it('makes a label value of a controller name and of a long Gateway name', () => {
    const value = managedByValue('gateway-stack.local/gateway-controller');
    expect(value).toMatch(/^gateway-stack\.local-gateway-controller-[0-9a-f]{8}$/);
    expect(managedByValue('gateway-stack.local-gateway-controller')).not.toBe(value);
    expect(managedByValue(`/${'x'.repeat(100)}`)).toMatch(LABEL_VALUE);
    expect(managedByValue(`/${'x'.repeat(100)}`).length).toBeLessThanOrEqual(63);
    expect(gatewayNameLabel('short')).toBe('short');
    const long = gatewayNameLabel(`${'a'.repeat(70)}.b`);
    expect(long).toMatch(LABEL_VALUE);
    expect(long.length).toBe(63);
  });
});

describe('desiredGatewayServices', () => {
  it('gives two Gateways on port 80 without hostname a Service each, to distinct internal ports', () => {
    const { desired, allocation } = plan([
      owned('same-namespace', [httpListener('http')]),
      owned('other', [httpListener('http')], 'apps'),
    ]);
    expect(desired.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).toEqual([
      `gs-system/${gatewayServiceName({ namespace: 'apps', name: 'other' })}`,
      `gs-system/${gatewayServiceName({ namespace: 'infra', name: 'same-namespace' })}`,
    ]);
    const targets = desired.map((s) => s.spec.ports[0].targetPort);
    expect(new Set(targets).size).toBe(2);
    expect(targets).toEqual([
      allocation.ports.get('apps/other:80'),
      allocation.ports.get('infra/same-namespace:80'),
    ]);
    for (const port of targets) {
      expect(port).toBeGreaterThanOrEqual(RANGE.from);
      expect(port).toBeLessThanOrEqual(RANGE.to);
    }
  });

  it('makes it beside the front Service, owned by it, labelled, selecting and typed as it', () => {
    const [service] = plan([owned('gw', [httpListener('http')])]).desired;
    expect(service).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: gatewayServiceName({ namespace: 'infra', name: 'gw' }),
        namespace: 'gs-system',
        labels: {
          [MANAGED_BY_LABEL]: managedByValue(CONTROLLER),
          [GATEWAY_NAME_LABEL]: 'gw',
        },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Service', name: 'gs-gateway', uid: 'front-uid' },
        ],
      },
      spec: {
        type: 'LoadBalancer',
        selector: FRONT.spec.selector,
        ports: [expect.objectContaining({ name: 'http-80', port: 80 })],
      },
    });
  });

  it('makes none when the front Service cannot stand for the gateway pods', () => {
    const gateways = [owned('gw', [httpListener('http')])];
    const translation = translate(snapshot({ gateways }), CONTROLLER);
    const allocation = allocateGatewayPorts(gatewayListenerPorts(translation), {
      range: RANGE,
      avoid: [],
    });
    const fronts: Service[] = [
      { ...FRONT, spec: { ...FRONT.spec, selector: undefined } },
      { ...FRONT, spec: { ...FRONT.spec, selector: {} } },
      { ...FRONT, spec: { ...FRONT.spec, type: 'ExternalName' } },
      { ...FRONT, metadata: { ...FRONT.metadata, uid: undefined } },
    ];
    for (const front of fronts)
      expect(desiredGatewayServices(translation, allocation, { ...OPTIONS, front })).toEqual([]);
    const plain = { ...FRONT, spec: { ...FRONT.spec, type: undefined } };
    expect(
      desiredGatewayServices(translation, allocation, { ...OPTIONS, front: plain })[0].spec.type,
    ).toBe('ClusterIP');
  });

  it("takes each distinct listener port once, in port order, named by the listener's protocol", () => {
    const gw = owned('gw', [
      httpListener('b', { port: 8000, hostname: 'b.example.com' }),
      httpListener('a', { hostname: 'a.example.com' }),
      httpListener('c', { hostname: 'c.example.com' }),
    ]);
    const { desired, allocation } = plan([gw]);
    expect(desired[0].spec.ports).toEqual([
      {
        name: 'http-80',
        port: 80,
        protocol: 'TCP',
        targetPort: allocation.ports.get('infra/gw:80'),
      },
      {
        name: 'http-8000',
        port: 8000,
        protocol: 'TCP',
        targetPort: allocation.ports.get('infra/gw:8000'),
      },
    ]);

    // HTTPS listeners (their certificates are the translation's business) name their port https.
    const translation: Translation = {
      gateways: [
        {
          gateway: { namespace: 'infra', name: 'gw' },
          listeners: [
            {
              name: 's',
              port: 443,
              protocol: 'HTTPS',
              certificates: [],
              hostname: null,
              hosts: [],
            },
          ],
        },
      ],
      status: { gatewayClasses: [], gateways: [], routes: [] },
    };
    const tls = allocateGatewayPorts(gatewayListenerPorts(translation), {
      range: RANGE,
      avoid: [],
    });
    expect(desiredGatewayServices(translation, tls, OPTIONS)[0].spec.ports[0].name).toBe(
      'https-443',
    );
  });

  it('makes none for a refused Gateway, one of another class, one not fully allocated', () => {
    const { desired } = plan(
      [
        owned('refused', [httpListener('tcp', { protocol: 'TCP' })]),
        owned('theirs', [httpListener('http')], 'other'),
        owned('ok', [httpListener('http')]),
      ].map((g) =>
        g.metadata.namespace === 'other'
          ? { ...g, spec: { ...g.spec, gatewayClassName: 'not-ours' } }
          : g,
      ),
    );
    expect(desired.map((s) => s.metadata.name)).toEqual([
      gatewayServiceName({ namespace: 'infra', name: 'ok' }),
    ]);

    const gateways = [owned('gw', [httpListener('a'), httpListener('b', { port: 81 })])];
    const translation = translate(snapshot({ gateways }), CONTROLLER);
    // Room for one of the two ports only.
    const half = allocateGatewayPorts(gatewayListenerPorts(translation), {
      range: { from: 100, to: 100 },
      avoid: [],
    });
    expect(half.unallocated).toHaveLength(1);
    expect(desiredGatewayServices(translation, half, OPTIONS)).toEqual([]);
  });
});

describe('gatewayServiceChanges', () => {
  const gateways = [owned('one', [httpListener('http')]), owned('two', [httpListener('http')])];

  it('creates every Service when none is listed, in name order', () => {
    const { desired } = plan(gateways);
    const changes = gatewayServiceChanges(desired, [], CONTROLLER);
    expect(changes.create.map((s) => s.metadata.name)).toEqual(
      ['one', 'two'].map((name) => gatewayServiceName({ namespace: 'infra', name })).sort(),
    );
    expect(changes.update).toEqual([]);
    expect(changes.delete).toEqual([]);
  });

  it('changes nothing when the listed Services say what is wanted, whatever the API server added', () => {
    const { desired } = plan(gateways);
    const listed = desired.map(asListed);
    expect(gatewayServiceChanges(plan(gateways, listed).desired, listed, CONTROLLER)).toEqual({
      create: [],
      update: [],
      delete: [],
    });
  });

  it('updates a Service whose port, selector, type, owner or label differs', () => {
    const { desired } = plan(gateways);
    const [one] = desired;
    const variants: Service[] = [
      { ...one, spec: { ...one.spec, ports: [{ ...one.spec.ports[0], targetPort: 1 }] } },
      { ...one, spec: { ...one.spec, ports: [{ ...one.spec.ports[0], port: 81 }] } },
      { ...one, spec: { ...one.spec, selector: { app: 'other' } } },
      { ...one, spec: { ...one.spec, type: 'ClusterIP' } },
      {
        ...one,
        metadata: {
          ...one.metadata,
          ownerReferences: [{ ...one.metadata.ownerReferences[0], uid: 'older-front' }],
        },
      },
      {
        ...one,
        metadata: {
          ...one.metadata,
          labels: { ...one.metadata.labels, [GATEWAY_NAME_LABEL]: 'someone-else' },
        },
      },
    ];
    for (const variant of variants) {
      const changes = gatewayServiceChanges(desired, [variant, desired[1]], CONTROLLER);
      expect(changes.update).toEqual([{ current: variant, desired: one }]);
      expect(changes.create).toEqual([]);
      expect(changes.delete).toEqual([]);
    }
  });

  it("deletes this controller's Services no Gateway wants, and leaves every other Service alone", () => {
    const before = plan(gateways).desired.map(asListed);
    const { desired } = plan(gateways.slice(0, 1), before);
    const unmanaged: Service = {
      metadata: { namespace: 'gs-system', name: 'app', labels: { [MANAGED_BY_LABEL]: 'Helm' } },
      spec: { ports: [{ port: 80 }] },
    };
    const otherController: Service = {
      ...before[1],
      metadata: {
        ...before[1].metadata,
        name: 'theirs',
        labels: { [MANAGED_BY_LABEL]: managedByValue('example.com/other') },
      },
    };
    const changes = gatewayServiceChanges(
      desired,
      [...before, unmanaged, otherController],
      CONTROLLER,
    );
    const two = gatewayServiceName({ namespace: 'infra', name: 'two' });
    expect(changes.delete).toEqual(before.filter((s) => s.metadata.name === two));
    expect(changes.create).toEqual([]);
    expect(changes.update).toEqual([]);
  });
});

describe('gatewayPortAllocation', () => {
  it("keeps the internal port a Gateway's Service sends to, even where the hash would not put it", () => {
    const gw = owned('gw', [httpListener('http')]);
    const [service] = plan([gw]).desired;
    const hashed = service.spec.ports[0].targetPort;
    const moved = hashed === RANGE.to ? RANGE.from : hashed + 1;
    const listed = asListed({
      ...service,
      spec: { ...service.spec, ports: [{ ...service.spec.ports[0], targetPort: moved }] },
    });
    const { allocation, desired } = plan([gw], [listed]);
    expect(allocation.ports.get('infra/gw:80')).toBe(moved);
    expect(desired[0].spec.ports[0].targetPort).toBe(moved);
  });

  it("reads no port from a Service at another name, or another controller's", () => {
    const gw = owned('gw', [httpListener('http')]);
    const [service] = plan([gw]).desired;
    const claim = (metadata: Partial<Service['metadata']>): Service => ({
      ...service,
      metadata: { ...service.metadata, ...metadata },
      spec: { ...service.spec, ports: [{ ...service.spec.ports[0], targetPort: 20000 }] },
    });
    const services = [
      claim({ name: 'elsewhere' }),
      claim({ namespace: 'apps' }),
      claim({ labels: { [MANAGED_BY_LABEL]: managedByValue('example.com/other') } }),
    ];
    expect(previousTargetPorts([gw], services, CONTROLLER, NAMESPACE)).toEqual(new Map());
    expect(previousTargetPorts([gw], [claim({})], CONTROLLER, NAMESPACE)).toEqual(
      new Map([[gatewayPortKey({ namespace: 'infra', name: 'gw' }, 80), 20000]]),
    );
  });
});

describe('withGatewayServiceAddresses', () => {
  it("gives each Gateway its own Service's address, and none before it is listed", () => {
    const gateways = [owned('one', [httpListener('http')]), owned('two', [httpListener('http')])];
    const [one] = plan(gateways).desired;
    const listed: Service = {
      ...asListed(one),
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.7' }] } },
    };
    const unmanaged: Service = {
      metadata: {
        namespace: NAMESPACE,
        name: gatewayServiceName({ namespace: 'infra', name: 'two' }),
      },
      spec: { clusterIP: '10.96.0.99', ports: [{ port: 80 }] },
    };
    const addresses = withGatewayServiceAddresses(
      snapshot({ gateways, services: [listed, unmanaged] }),
      CONTROLLER,
      NAMESPACE,
    ).gatewayAddresses;
    expect(addresses).toEqual({
      'infra/one': [{ type: 'IPAddress', value: '192.0.2.7' }],
      // An unmanaged Service at the name is not the Gateway's.
      'infra/two': [],
    });
  });
});

describe('gatewayServicePlan', () => {
  const gateways = [owned('one', [httpListener('http')])];
  const front = { namespace: NAMESPACE, name: 'gs-gateway' };

  it('plans nothing while the front Service is not listed: wanting none would delete every one', () => {
    const { translation, allocation, desired } = plan(gateways);
    const listed = desired.map(asListed);
    const objects = snapshot({ gateways, services: listed });
    expect(
      gatewayServicePlan(objects, translation, allocation, { controllerName: CONTROLLER, front }),
    ).toBeUndefined();
  });

  it("plans the front Service's Gateway Services from the objects listed", () => {
    const { translation, allocation, desired } = plan(gateways);
    const objects = snapshot({ gateways, services: [FRONT] });
    expect(
      gatewayServicePlan(objects, translation, allocation, { controllerName: CONTROLLER, front }),
    ).toEqual({ create: desired, update: [], delete: [] });
    const done = snapshot({ gateways, services: [FRONT, ...desired.map(asListed)] });
    expect(
      gatewayServicePlan(done, translation, allocation, { controllerName: CONTROLLER, front }),
    ).toEqual({ create: [], update: [], delete: [] });
  });
});
