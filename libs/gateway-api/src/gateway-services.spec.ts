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
const OPTIONS: GatewayServiceOptions = {
  controllerName: CONTROLLER,
  selector: { 'app.kubernetes.io/name': 'gateway', 'app.kubernetes.io/instance': 'gs' },
  type: 'LoadBalancer',
};

function owned(name: string, listeners: readonly Listener[], namespace = 'infra'): Gateway {
  const g = gateway(name, listeners, { namespace });
  return { ...g, metadata: { ...g.metadata, uid: `uid-${namespace}-${name}` } };
}

/** The Services the leader would want, and the allocation the pods would serve, for `gateways`. */
function plan(gateways: readonly Gateway[], services: readonly Service[] = []) {
  const translation = translate(snapshot({ gateways, services }), CONTROLLER);
  const allocation = gatewayPortAllocation(translation, gateways, services, {
    controllerName: CONTROLLER,
    range: RANGE,
    avoid: AVOID,
  });
  return {
    translation,
    allocation,
    desired: desiredGatewayServices(translation, gateways, allocation, OPTIONS),
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
  it('names a Service <gateway>-<class>, as GEP-1762 does', () => {
    expect(gatewayServiceName('same-namespace', 'ours')).toBe('same-namespace-ours');
  });

  it('makes a DNS-1035 label of any Gateway and class name, hashed when it had to change', () => {
    const dotted = gatewayServiceName('a.b', 'ours');
    expect(dotted).toMatch(/^a-b-ours-[0-9a-f]{8}$/);
    expect(dotted).not.toBe(gatewayServiceName('a-b', 'ours'));
    expect(gatewayServiceName('1st', 'ours')).toMatch(/^gw-1st-ours-[0-9a-f]{8}$/);
    const long = 'g'.repeat(250);
    const [one, two] = [
      gatewayServiceName(`${long}1`, 'ours'),
      gatewayServiceName(`${long}2`, 'ours'),
    ];
    for (const name of [dotted, one, two, gatewayServiceName('x', 'y'.repeat(70))]) {
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
      'apps/other-ours',
      'infra/same-namespace-ours',
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

  it('owns the Service by its Gateway, labels it, selects the gateway pods, with the type asked', () => {
    const [service] = plan([owned('gw', [httpListener('http')])]).desired;
    expect(service).toMatchObject({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'gw-ours',
        namespace: 'infra',
        labels: {
          [MANAGED_BY_LABEL]: managedByValue(CONTROLLER),
          [GATEWAY_NAME_LABEL]: 'gw',
        },
        ownerReferences: [
          {
            apiVersion: 'gateway.networking.k8s.io/v1',
            kind: 'Gateway',
            name: 'gw',
            uid: 'uid-infra-gw',
            controller: true,
          },
        ],
      },
      spec: { type: 'LoadBalancer', selector: OPTIONS.selector },
    });
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
    expect(desiredGatewayServices(translation, [gw], tls, OPTIONS)[0].spec.ports[0].name).toBe(
      'https-443',
    );
  });

  it('makes none for a refused Gateway, one of another class, one without a uid, one not fully allocated', () => {
    const plain = gateway('no-uid', [httpListener('http')]);
    const { desired } = plan(
      [
        owned('refused', [httpListener('tcp', { protocol: 'TCP' })]),
        owned('theirs', [httpListener('http')], 'other'),
        plain,
        owned('ok', [httpListener('http')]),
      ].map((g) =>
        g.metadata.namespace === 'other'
          ? { ...g, spec: { ...g.spec, gatewayClassName: 'not-ours' } }
          : g,
      ),
    );
    expect(desired.map((s) => s.metadata.name)).toEqual(['ok-ours']);

    const gateways = [owned('gw', [httpListener('a'), httpListener('b', { port: 81 })])];
    const translation = translate(snapshot({ gateways }), CONTROLLER);
    // Room for one of the two ports only.
    const half = allocateGatewayPorts(gatewayListenerPorts(translation), {
      range: { from: 100, to: 100 },
      avoid: [],
    });
    expect(half.unallocated).toHaveLength(1);
    expect(desiredGatewayServices(translation, gateways, half, OPTIONS)).toEqual([]);
  });

  it('gives a Service name to the first Gateway that has it only', () => {
    const first = { ...owned('a-b', [httpListener('http')]) };
    const second = owned('a', [httpListener('http')]);
    const classes = [
      { metadata: { name: 'c', generation: 1 }, spec: { controllerName: CONTROLLER } },
      { metadata: { name: 'b-c', generation: 1 }, spec: { controllerName: CONTROLLER } },
    ];
    const gateways = [
      { ...first, spec: { ...first.spec, gatewayClassName: 'c' } },
      { ...second, spec: { ...second.spec, gatewayClassName: 'b-c' } },
    ];
    const translation = translate(snapshot({ gatewayClasses: classes, gateways }), CONTROLLER);
    const allocation = allocateGatewayPorts(gatewayListenerPorts(translation), {
      range: RANGE,
      avoid: [],
    });
    const desired = desiredGatewayServices(translation, gateways, allocation, OPTIONS);
    expect(desired.map((s) => [s.metadata.name, s.metadata.ownerReferences[0].name])).toEqual([
      ['a-b-c', 'a'],
    ]);
  });
});

describe('gatewayServiceChanges', () => {
  const gateways = [owned('one', [httpListener('http')]), owned('two', [httpListener('http')])];

  it('creates every Service when none is listed, in namespace and name order', () => {
    const { desired } = plan(gateways);
    const changes = gatewayServiceChanges(desired, [], CONTROLLER);
    expect(changes.create.map((s) => s.metadata.name)).toEqual(['one-ours', 'two-ours']);
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
          ownerReferences: [{ ...one.metadata.ownerReferences[0], uid: 'older-gateway' }],
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
      metadata: { namespace: 'infra', name: 'app', labels: { [MANAGED_BY_LABEL]: 'Helm' } },
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
    expect(changes.delete).toEqual([before[1]]);
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
    expect(previousTargetPorts([gw], services, CONTROLLER)).toEqual(new Map());
    expect(previousTargetPorts([gw], [claim({})], CONTROLLER)).toEqual(
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
    const front: Service = {
      metadata: { namespace: 'infra', name: 'two-ours' },
      spec: { clusterIP: '10.96.0.99', ports: [{ port: 80 }] },
    };
    const addresses = withGatewayServiceAddresses(
      snapshot({ gateways, services: [listed, front] }),
      CONTROLLER,
    ).gatewayAddresses;
    expect(addresses).toEqual({
      'infra/one': [{ type: 'IPAddress', value: '192.0.2.7' }],
      // An unmanaged Service at the name is not the Gateway's.
      'infra/two': [],
    });
  });
});
