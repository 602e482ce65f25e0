import type {
  Gateway,
  GatewayApiSnapshot,
  GatewayClass,
  GRPCRoute,
  HTTPRoute,
  Listener,
  ReferenceGrant,
  Service,
} from './gateway-api-objects';

/** Objects for the translator's tests, with only what each test varies spelled out. */

export const CONTROLLER = 'example.com/gateway-controller';

export function gatewayClass(name = 'ours', controllerName = CONTROLLER): GatewayClass {
  return { metadata: { name, generation: 1 }, spec: { controllerName } };
}

export function httpListener(name: string, extra: Partial<Listener> = {}): Listener {
  return { name, port: 80, protocol: 'HTTP', ...extra };
}

export function gateway(
  name: string,
  listeners: readonly Listener[],
  options: { namespace?: string; className?: string } = {},
): Gateway {
  return {
    metadata: { name, namespace: options.namespace ?? 'infra', generation: 3 },
    spec: { gatewayClassName: options.className ?? 'ours', listeners },
  };
}

export function httpRoute(
  name: string,
  spec: HTTPRoute['spec'],
  options: { namespace?: string; created?: string } = {},
): HTTPRoute {
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'infra',
      generation: 2,
      creationTimestamp: options.created ?? '2026-01-01T00:00:00Z',
    },
    spec,
  };
}

export function grpcRoute(
  name: string,
  spec: GRPCRoute['spec'],
  options: { namespace?: string; created?: string } = {},
): GRPCRoute {
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'infra',
      generation: 2,
      creationTimestamp: options.created ?? '2026-01-01T00:00:00Z',
    },
    spec,
  };
}

export function service(
  namespace: string,
  name: string,
  ports: readonly number[] = [8080],
): Service {
  return {
    metadata: { namespace, name },
    spec: { ports: ports.map((port) => ({ name: `p${port}`, port })) },
  };
}

export function serviceGrant(
  namespace: string,
  fromNamespace: string,
  name?: string,
  fromKind: 'HTTPRoute' | 'GRPCRoute' = 'HTTPRoute',
): ReferenceGrant {
  return {
    metadata: { namespace, name: `allow-${fromNamespace}` },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: fromKind, namespace: fromNamespace }],
      to: [{ group: '', kind: 'Service', ...(name === undefined ? {} : { name }) }],
    },
  };
}

export function snapshot(parts: Partial<GatewayApiSnapshot>): GatewayApiSnapshot {
  return {
    gatewayClasses: [gatewayClass()],
    gateways: [],
    httpRoutes: [],
    grpcRoutes: [],
    referenceGrants: [],
    namespaces: [],
    services: [],
    endpointSlices: [],
    ...parts,
  };
}
