import { RouteReason } from './gateway-api-conditions';
import {
  GATEWAY_API_GROUP,
  SERVICE_NAME_LABEL,
  type EndpointSlice,
  type GatewayApiSnapshot,
  type GRPCBackendRef,
  type HTTPBackendRef,
  type RouteKind,
  type Service,
  type ServicePort,
} from './gateway-api-objects';
import { referenceAllowed } from './reference-grant';

export type BackendResolution =
  | {
      readonly ok: true;
      readonly namespace: string;
      readonly name: string;
      readonly port: number;
      readonly endpoints: string[];
    }
  | {
      readonly ok: false;
      /** A ResolvedRefs reason: InvalidKind, RefNotPermitted or BackendNotFound. */
      readonly reason: string;
      readonly message: string;
    };

/**
 * Resolves one backendRef of a route of `routeKind` (HTTPRoute or GRPCRoute) in `routeNamespace`: only core Services are backends
 * (InvalidKind otherwise); another namespace needs a ReferenceGrant there (RefNotPermitted); the
 * Service and its port must exist (BackendNotFound). Checked in that order, so a reference the
 * route may not make never reveals whether its target exists.
 */
export function resolveBackendRef(
  ref: HTTPBackendRef | GRPCBackendRef,
  routeNamespace: string,
  snapshot: Pick<GatewayApiSnapshot, 'referenceGrants' | 'services' | 'endpointSlices'>,
  index: BackendIndex = backendIndex(snapshot),
  routeKind: RouteKind = 'HTTPRoute',
): BackendResolution {
  const group = ref.group ?? '';
  const kind = ref.kind ?? 'Service';
  const namespace = ref.namespace ?? routeNamespace;
  const label = `${namespace}/${ref.name}`;
  if (group !== '' || kind !== 'Service') {
    return {
      ok: false,
      reason: RouteReason.InvalidKind,
      message: `backendRef ${label}: kind ${group === '' ? kind : `${kind}.${group}`} is not supported (only Service)`,
    };
  }
  const permitted = referenceAllowed(
    snapshot.referenceGrants,
    { group: GATEWAY_API_GROUP, kind: routeKind, namespace: routeNamespace },
    { group: '', kind: 'Service', namespace, name: ref.name },
  );
  if (!permitted) {
    return {
      ok: false,
      reason: RouteReason.RefNotPermitted,
      message: `backendRef ${label}: no ReferenceGrant in ${namespace} allows ${routeKind}s of ${routeNamespace} to refer to it`,
    };
  }
  const service = index.services.get(objectKey(namespace, ref.name));
  if (service === undefined) {
    return {
      ok: false,
      reason: RouteReason.BackendNotFound,
      message: `Service ${label} not found`,
    };
  }
  const servicePort = (service.spec.ports ?? []).find((p) => p.port === ref.port);
  if (ref.port === undefined || servicePort === undefined) {
    return {
      ok: false,
      reason: RouteReason.BackendNotFound,
      message:
        ref.port === undefined
          ? `backendRef ${label}: a port is required for a Service`
          : `Service ${label} has no port ${ref.port}`,
    };
  }
  return {
    ok: true,
    namespace,
    name: ref.name,
    port: ref.port,
    endpoints: readyEndpoints(
      service,
      servicePort,
      index.slices.get(objectKey(namespace, ref.name)) ?? [],
    ),
  };
}

/**
 * A snapshot's Services by namespace and name (the first of a name, as a search would find it),
 * and its EndpointSlices by the Service they belong to (in their order): translate() makes one
 * for all its routes, where searching the lists for each backendRef took routes x Services.
 */
export interface BackendIndex {
  readonly services: ReadonlyMap<string, Service>;
  readonly slices: ReadonlyMap<string, readonly EndpointSlice[]>;
}

export function backendIndex(
  snapshot: Pick<GatewayApiSnapshot, 'services' | 'endpointSlices'>,
): BackendIndex {
  const services = new Map<string, Service>();
  for (const service of snapshot.services) {
    const key = objectKey(service.metadata.namespace, service.metadata.name);
    if (!services.has(key)) services.set(key, service);
  }
  const slices = new Map<string, EndpointSlice[]>();
  for (const slice of snapshot.endpointSlices) {
    const owner = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (owner === undefined) continue;
    const key = objectKey(slice.metadata.namespace, owner);
    const list = slices.get(key);
    if (list) list.push(slice);
    else slices.set(key, [slice]);
  }
  return { services, slices };
}

/** Namespaces and names hold no `/`. */
function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * The ready endpoints behind one Service port, from its EndpointSlices: the slice port of the same
 * name ("" for an unnamed Service port) gives the target port; an endpoint whose `ready` is absent
 * counts as ready. `address:port`, IPv6 in brackets, sorted, without duplicates (an endpoint may be
 * in two slices while they are rebalanced).
 */
export function readyEndpoints(
  service: Service,
  servicePort: ServicePort,
  slices: readonly EndpointSlice[],
): string[] {
  const portName = servicePort.name ?? '';
  const found = new Set<string>();
  for (const slice of slices) {
    if (slice.metadata.namespace !== service.metadata.namespace) continue;
    if (slice.metadata.labels?.[SERVICE_NAME_LABEL] !== service.metadata.name) continue;
    if (slice.addressType === 'FQDN') continue;
    const port = (slice.ports ?? []).find((p) => (p.name ?? '') === portName)?.port;
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      for (const address of endpoint.addresses) {
        found.add(slice.addressType === 'IPv6' ? `[${address}]:${port}` : `${address}:${port}`);
      }
    }
  }
  return [...found].sort();
}
