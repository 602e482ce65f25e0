import { createHash } from 'node:crypto';
import { findService, serviceAddresses } from './gateway-addresses';
import type { GatewayModel, ObjectRef, Translation } from './gateway-api-model';
import {
  type Gateway,
  type GatewayApiSnapshot,
  type OwnerReference,
  type Service,
  type ServicePort,
} from './gateway-api-objects';
import {
  allocateGatewayPorts,
  type GatewayPort,
  type GatewayPortAllocation,
  gatewayPortKey,
  type PortRange,
} from './gateway-ports';

/**
 * The Service of each of this controller's Gateways (docs/adr/0011-gateway-api.md, "Per-Gateway
 * addresses"): its ports the Gateway's listener ports, sending to the internal ports of
 * gateway-ports.ts on the shared gateway pods; its address the Gateway's. Pure: what to create,
 * update and delete; the status leader applies it.
 */

/** Marks the Services this controller made: the leader lists by it, and touches no others. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** The Gateway a Service is for, the label GEP-1762 gives in-cluster Gateway resources. */
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

const MAX_NAME = 63;
const HASH_LENGTH = 8;

export type GatewayServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
const SERVICE_TYPES: readonly string[] = ['ClusterIP', 'NodePort', 'LoadBalancer'];

export interface GatewayServiceOptions {
  readonly controllerName: string;
  /**
   * The Service in front of the gateway pods (GATEWAY_API_SERVICE). A Service selects pods of its
   * own namespace only, so every Gateway's Service is made in this one's namespace (not the
   * Gateway's), selecting its pods, of its type, and owned by it: uninstalling the gateway removes
   * them with it.
   */
  readonly front: Service;
}

/** A Service this controller wants: every field it sets, and only those. */
export interface GatewayService extends Service {
  readonly apiVersion: 'v1';
  readonly kind: 'Service';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly ownerReferences: readonly OwnerReference[];
  };
  readonly spec: {
    readonly type: GatewayServiceType;
    readonly selector: Readonly<Record<string, string>>;
    readonly ports: readonly (ServicePort & {
      readonly name: string;
      readonly protocol: 'TCP';
      readonly targetPort: number;
    })[];
  };
}

export interface GatewayServiceChanges {
  readonly create: readonly GatewayService[];
  /** `current` as listed (its resourceVersion for the write), `desired` what it should say. */
  readonly update: readonly { readonly current: Service; readonly desired: GatewayService }[];
  readonly delete: readonly Service[];
}

/**
 * The managed-by value of a controller: its name is a path (`example.com/gateway-controller`),
 * not a label value, so its characters outside a label's become `-`, with a hash of the name
 * after it so two controllers whose names differ only there still differ.
 */
export function managedByValue(controllerName: string): string {
  const readable = controllerName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return bounded(readable, hash(controllerName), true);
}

/**
 * `<namespace>-<gateway>-<hash>`: the Services of Gateways of every namespace live side by side in
 * the gateway's namespace, so the name carries the Gateway's namespace, and a hash of
 * `namespace/name` keeps apart what the joining would merge (`a-b/c` and `a/b-c`) and what
 * making a DNS-1035 label of it changes (dots become `-`, a leading digit gets `gw-`, over 63
 * characters is cut).
 */
export function gatewayServiceName(gateway: ObjectRef): string {
  let name = `${gateway.namespace}-${gateway.name}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  if (!/^[a-z]/.test(name)) name = `gw-${name}`;
  return bounded(name, hash(`${gateway.namespace}/${gateway.name}`), true);
}

/** A Gateway name as a label value (at most 63 characters: longer ones end in a hash). */
export function gatewayNameLabel(gateway: string): string {
  return bounded(gateway, hash(gateway), false);
}

/** Each accepted Gateway's distinct listener ports, programmed listeners only, in port order. */
export function gatewayListenerPorts(translation: Translation): GatewayPort[] {
  return translation.gateways.flatMap((model) =>
    distinctPorts(model).map((port) => ({ gateway: model.gateway, port })),
  );
}

/**
 * The ports each of this controller's Services sends to, key gatewayPortKey: only a managed
 * Service in `namespace` (the gateway's) at the name its Gateway's Service has (so another
 * Gateway's or a user's Service cannot claim a port for it), and numeric targetPorts.
 */
export function previousTargetPorts(
  gateways: readonly Gateway[],
  services: readonly Service[],
  controllerName: string,
  namespace: string,
): Map<string, number> {
  const managed = managedServices(services, controllerName);
  const previous = new Map<string, number>();
  for (const gateway of gateways) {
    const ref = { namespace: gateway.metadata.namespace, name: gateway.metadata.name };
    const service = managed.get(`${namespace}/${gatewayServiceName(ref)}`);
    for (const port of service?.spec.ports ?? [])
      if (typeof port.targetPort === 'number')
        previous.set(gatewayPortKey(ref, port.port), port.targetPort);
  }
  return previous;
}

/**
 * The snapshot with each Gateway's addresses those of its own Service (its cluster IP, or its load
 * balancer's once it has them): the per-Gateway counterpart of withFrontServiceAddresses. A
 * Gateway whose Service is not listed yet has none (not Programmed: AddressNotAssigned) until the
 * leader creates it and the Service's watch event brings it.
 */
export function withGatewayServiceAddresses(
  snapshot: GatewayApiSnapshot,
  controllerName: string,
  namespace: string,
): GatewayApiSnapshot {
  const managed = managedServices(snapshot.services, controllerName);
  return {
    ...snapshot,
    gatewayAddresses: Object.fromEntries(
      snapshot.gateways.map((g) => {
        const service = managed.get(`${namespace}/${gatewayServiceName(g.metadata)}`);
        return [key(g.metadata), service ? serviceAddresses(service) : []];
      }),
    ),
  };
}

/**
 * The allocation every gateway pod and the leader compute: the translation's listener ports, the
 * ports the Services already send to kept (gateway-ports.ts).
 */
export function gatewayPortAllocation(
  translation: Translation,
  gateways: readonly Gateway[],
  services: readonly Service[],
  options: {
    readonly controllerName: string;
    /** Where the Gateways' Services are (the gateway's namespace). */
    readonly namespace: string;
    readonly range: PortRange;
    readonly avoid: readonly number[];
  },
): GatewayPortAllocation {
  return allocateGatewayPorts(gatewayListenerPorts(translation), {
    range: options.range,
    avoid: options.avoid,
    previous: previousTargetPorts(gateways, services, options.controllerName, options.namespace),
  });
}

/**
 * One Service per accepted Gateway of the translation with a programmed listener whose ports all
 * have an internal port: a Service sending some ports nowhere would give the Gateway an address
 * that half works. None at all when the front Service cannot stand for the gateway pods (no
 * selector, no uid, a type other than ClusterIP, NodePort or LoadBalancer). Should two Gateways'
 * names hash alike, the first by namespace/name keeps the Service. Sorted by name.
 */
export function desiredGatewayServices(
  translation: Translation,
  allocation: GatewayPortAllocation,
  options: GatewayServiceOptions,
): GatewayService[] {
  const { front } = options;
  const type = front.spec.type ?? 'ClusterIP';
  const selector = front.spec.selector ?? {};
  const uid = front.metadata.uid;
  if (!SERVICE_TYPES.includes(type) || Object.keys(selector).length === 0 || uid === undefined)
    return [];
  const namespace = front.metadata.namespace;
  const byName = new Map<string, GatewayService>();
  const models = [...translation.gateways].sort((a, b) => compare(key(a.gateway), key(b.gateway)));
  for (const model of models) {
    const ports = servicePorts(model, allocation);
    if (ports === null || ports.length === 0) continue;
    const name = gatewayServiceName(model.gateway);
    if (byName.has(name)) continue;
    byName.set(name, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name,
        namespace,
        labels: {
          [MANAGED_BY_LABEL]: managedByValue(options.controllerName),
          [GATEWAY_NAME_LABEL]: gatewayNameLabel(model.gateway.name),
        },
        // Deleting the front Service (uninstalling the gateway) deletes these with it. Not the
        // Gateway: an owner must be in the owned object's namespace.
        ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: front.metadata.name, uid }],
      },
      spec: { type: type as GatewayServiceType, selector: { ...selector }, ports },
    });
  }
  return [...byName.values()].sort((a, b) => compare(a.metadata.name, b.metadata.name));
}

/**
 * What turns the managed Services among `current` into `desired`. A Service is updated when a
 * field this controller sets differs (its two labels, its ownerReferences, type, selector, ports):
 * what the API server or others add (clusterIP, nodePorts, other labels) is no difference.
 */
export function gatewayServiceChanges(
  desired: readonly GatewayService[],
  current: readonly Service[],
  controllerName: string,
): GatewayServiceChanges {
  const managed = managedServices(current, controllerName);
  const wanted = new Set(desired.map((s) => key(s.metadata)));
  const create: GatewayService[] = [];
  const update: { current: Service; desired: GatewayService }[] = [];
  for (const service of desired) {
    const existing = managed.get(key(service.metadata));
    if (existing === undefined) create.push(service);
    else if (!serviceSays(existing, service)) update.push({ current: existing, desired: service });
  }
  const remove = [...managed.values()]
    .filter((s) => !wanted.has(key(s.metadata)))
    .sort((a, b) => compare(key(a.metadata), key(b.metadata)));
  return { create, update, delete: remove };
}

function managedServices(services: readonly Service[], controllerName: string) {
  const value = managedByValue(controllerName);
  return new Map(
    services
      .filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === value)
      .map((s) => [key(s.metadata), s]),
  );
}

/** Whether `current` says everything `desired` sets. */
function serviceSays(current: Service, desired: GatewayService): boolean {
  const labels = current.metadata.labels ?? {};
  const owners = (current.metadata.ownerReferences ?? []).map(ownerFields);
  return (
    Object.entries(desired.metadata.labels).every(([k, v]) => labels[k] === v) &&
    sameJson(owners, desired.metadata.ownerReferences.map(ownerFields)) &&
    (current.spec.type ?? 'ClusterIP') === desired.spec.type &&
    sameJson(sortedEntries(current.spec.selector ?? {}), sortedEntries(desired.spec.selector)) &&
    sameJson((current.spec.ports ?? []).map(portFields), desired.spec.ports.map(portFields))
  );
}

function ownerFields(o: OwnerReference) {
  return [o.apiVersion, o.kind, o.name, o.uid, o.controller ?? false];
}

function portFields(p: ServicePort) {
  return [p.name ?? '', p.port, p.protocol ?? 'TCP', p.targetPort ?? p.port];
}

/** A Service port per distinct listener port, named `<protocol>-<port>`; null: one unallocated. */
function servicePorts(
  model: GatewayModel,
  allocation: GatewayPortAllocation,
): GatewayService['spec']['ports'] | null {
  const ports = [];
  for (const port of distinctPorts(model)) {
    const targetPort = allocation.ports.get(gatewayPortKey(model.gateway, port));
    if (targetPort === undefined) return null;
    // Listeners of one port share a protocol (validateListeners: ProtocolConflict otherwise).
    const protocol = model.listeners.find((l) => l.port === port)?.protocol ?? 'HTTP';
    ports.push({
      name: `${protocol.toLowerCase()}-${port}`,
      port,
      protocol: 'TCP' as const,
      targetPort,
    });
  }
  return ports;
}

function distinctPorts(model: GatewayModel): number[] {
  return [...new Set(model.listeners.map((l) => l.port))].sort((a, b) => a - b);
}

/**
 * `name` when it may stand as it is and fits in 63 characters; else as much of it as fits
 * before `-<hash>`, without a trailing `-` or `.` (a label ends in a letter or digit).
 */
function bounded(name: string, suffix: string, always: boolean): string {
  if (!always && name.length <= MAX_NAME) return name;
  const head = name.slice(0, MAX_NAME - suffix.length - 1).replace(/[-.]+$/, '');
  return head === '' ? suffix : `${head}-${suffix}`;
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, HASH_LENGTH);
}

function key(ref: ObjectRef | { readonly namespace?: string; readonly name: string }): string {
  return `${ref.namespace ?? ''}/${ref.name}`;
}

function sortedEntries(record: Readonly<Record<string, string>>) {
  return Object.entries(record).sort(([a], [b]) => compare(a, b));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What the status leader writes so that every Gateway has its Service: the changes from the
 * managed Services listed to those `allocation` asks for. Undefined while the front Service is
 * not listed - without it nothing says where the Services go or whom they select, and wanting
 * none would delete them all.
 */
export function gatewayServicePlan(
  snapshot: GatewayApiSnapshot,
  translation: Translation,
  allocation: GatewayPortAllocation,
  options: { readonly controllerName: string; readonly front: ObjectRef },
): GatewayServiceChanges | undefined {
  const front = findService(snapshot.services, options.front);
  if (front === undefined) return undefined;
  const desired = desiredGatewayServices(translation, allocation, {
    controllerName: options.controllerName,
    front,
  });
  return gatewayServiceChanges(desired, snapshot.services, options.controllerName);
}
