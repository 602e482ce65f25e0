import { canonicalJson } from '@app/routes';
import type { Condition } from './gateway-api-conditions';
import type { RouteStatusModel, Translation } from './gateway-api-model';
import {
  GATEWAY_API_GROUP,
  type Gateway,
  type GatewayApiSnapshot,
  type GatewayClass,
  type GatewayClassStatus,
  type GatewayStatus,
  type GRPCRoute,
  type HTTPRoute,
  type ParentReference,
  type RouteKind,
  type RouteStatus,
  type StoredCondition,
} from './gateway-api-objects';
import { gatewayKey } from './route-parents';

/** One object whose `status` must be replaced: the object as listed, and the status it is to have. */
export type StatusUpdate =
  | {
      readonly kind: 'GatewayClass';
      readonly object: GatewayClass;
      readonly status: GatewayClassStatus;
    }
  | { readonly kind: 'Gateway'; readonly object: Gateway; readonly status: GatewayStatus }
  | { readonly kind: 'HTTPRoute'; readonly object: HTTPRoute; readonly status: RouteStatus }
  | { readonly kind: 'GRPCRoute'; readonly object: GRPCRoute; readonly status: RouteStatus };

/**
 * The status writes a translation asks for, against the objects as listed
 * (docs/adr/0011-gateway-api.md, "Status"): only objects whose status would change, so writing
 * them and reading the result back through the watch asks for nothing more. A condition keeps its
 * `lastTransitionTime` while its status stays (as metav1 conditions do); a route keeps the parent
 * entries of other controllers, and loses this controller's entries for parentRefs it no longer
 * has. Fields are written the way the API server stores them (CRD defaults applied), or every
 * read-back would differ and ask for another write.
 */
export function statusUpdates(
  snapshot: GatewayApiSnapshot,
  translation: Translation,
  controllerName: string,
  now: Date,
): StatusUpdate[] {
  const at = timestamp(now);
  const updates: StatusUpdate[] = [];

  const classes = new Map(snapshot.gatewayClasses.map((c) => [c.metadata.name, c]));
  for (const model of translation.status.gatewayClasses) {
    const object = classes.get(model.name);
    if (!object) continue;
    const status: GatewayClassStatus = {
      ...object.status,
      conditions: stored(model.conditions, object.status?.conditions, at),
      supportedFeatures: model.supportedFeatures.map((name) => ({ name })),
    };
    if (!sameJson(status, object.status)) updates.push({ kind: 'GatewayClass', object, status });
  }

  const gateways = new Map(snapshot.gateways.map((g) => [key(g.metadata), g]));
  for (const model of translation.status.gateways) {
    const object = gateways.get(key(model.gateway));
    if (!object) continue;
    const before = new Map((object.status?.listeners ?? []).map((l) => [l.name, l.conditions]));
    const status: GatewayStatus = {
      addresses: model.addresses.map((a) => ({ type: a.type ?? 'IPAddress', value: a.value })),
      conditions: stored(model.conditions, object.status?.conditions, at),
      listeners: model.listeners.map((listener) => ({
        name: listener.name,
        supportedKinds: listener.supportedKinds.map((k) => ({
          group: k.group ?? GATEWAY_API_GROUP,
          kind: k.kind,
        })),
        attachedRoutes: listener.attachedRoutes,
        conditions: stored(listener.conditions, before.get(listener.name), at),
      })),
    };
    if (!sameJson(status, object.status)) updates.push({ kind: 'Gateway', object, status });
  }

  for (const { object, status } of routeUpdates(
    snapshot.httpRoutes,
    'HTTPRoute',
    translation,
    controllerName,
    at,
  ))
    updates.push({ kind: 'HTTPRoute', object, status });
  for (const { object, status } of routeUpdates(
    snapshot.grpcRoutes,
    'GRPCRoute',
    translation,
    controllerName,
    at,
  ))
    updates.push({ kind: 'GRPCRoute', object, status });
  return updates;
}

/** The routes of one kind whose status would change, and the status each is to have. */
function routeUpdates<T extends HTTPRoute | GRPCRoute>(
  routes: readonly T[],
  kind: RouteKind,
  translation: Translation,
  controllerName: string,
  at: string,
): { object: T; status: RouteStatus }[] {
  const updates: { object: T; status: RouteStatus }[] = [];
  const routeModels = new Map<string, RouteStatusModel>(
    translation.status.routes.filter((r) => r.kind === kind).map((r) => [key(r.route), r]),
  );
  for (const object of routes) {
    const namespace = object.metadata.namespace;
    const previous = object.status?.parents ?? [];
    const ours = routeModels.get(key(object.metadata))?.parents ?? [];
    if (ours.length === 0 && !previous.some((p) => p.controllerName === controllerName)) continue;
    const before = new Map(
      previous
        .filter((p) => p.controllerName === controllerName)
        .map((p) => [parentKey(p.parentRef, namespace), p.conditions]),
    );
    const status: RouteStatus = {
      ...object.status,
      parents: [
        ...previous.filter((p) => p.controllerName !== controllerName),
        ...ours.map((parent) => ({
          parentRef: storedParentRef(parent.parentRef),
          controllerName,
          conditions: stored(
            parent.conditions,
            before.get(parentKey(parent.parentRef, namespace)),
            at,
          ),
        })),
      ],
    };
    if (!sameJson(status, object.status)) updates.push({ object, status });
  }
  return updates;
}

/** RFC 3339 to the second, as the API server stores condition times. */
function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Conditions as stored, each keeping the transition time of its earlier self of equal status. */
function stored(
  conditions: readonly Condition[],
  previous: readonly StoredCondition[] | undefined,
  at: string,
): StoredCondition[] {
  return conditions.map((c) => {
    const earlier = previous?.find((p) => p.type === c.type);
    return {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      observedGeneration: c.observedGeneration,
      lastTransitionTime: earlier?.status === c.status ? earlier.lastTransitionTime : at,
    };
  });
}

/** The parentRef with the CRD's defaults for group and kind, as the API server stores it. */
function storedParentRef(ref: ParentReference): ParentReference {
  return { ...ref, group: ref.group ?? GATEWAY_API_GROUP, kind: ref.kind ?? 'Gateway' };
}

function parentKey(ref: ParentReference, routeNamespace: string): string {
  return [
    ref.group ?? GATEWAY_API_GROUP,
    ref.kind ?? 'Gateway',
    ref.namespace ?? routeNamespace,
    ref.name,
    ref.sectionName ?? '',
    ref.port ?? '',
  ].join('/');
}

function key(ref: { readonly namespace?: string; readonly name: string }): string {
  return gatewayKey(ref.namespace ?? '', ref.name);
}

/** Equal as JSON values, whatever the order of object keys (the API server's differs from ours). */
function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
