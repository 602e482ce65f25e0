import { RouteReason } from './gateway-api-conditions';
import {
  GATEWAY_API_GROUP,
  type Gateway,
  type GRPCRoute,
  type HTTPRoute,
  type RouteKind,
  type Listener,
  type Namespace,
  type ParentReference,
} from './gateway-api-objects';
import { intersectHostnames } from './hostname-intersection';
import type { ListenerVerdict } from './listener-validation';
import { namespaceAllowed } from './route-attachment';
import type { Verdict } from './route-rules';

export interface OwnedGateway {
  readonly gateway: Gateway;
  /** False when the Gateway itself is refused: no route attaches to it. */
  readonly accepted: boolean;
  readonly listeners: readonly ListenerVerdict[];
}

export interface ListenerAttachment {
  readonly listener: Listener;
  /** The route's host names on that listener (hostname-intersection.ts), never empty. */
  readonly hostnames: readonly string[];
}

export interface ParentAttachment {
  readonly gateway: Gateway;
  readonly parentRef: ParentReference;
  /** Accepted True (Accepted) when `listeners` is not empty, else the reason none took it. */
  readonly accepted: Verdict;
  readonly listeners: readonly ListenerAttachment[];
}

/** `namespace/name`: how Gateways (and routes) are keyed and sorted. */
export function gatewayKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * Attaches a route through one of its parentRefs. Null when the parentRef does not name a Gateway
 * of this controller (another kind, another controller's Gateway, or none): its status is not
 * ours to write. Otherwise the listeners it names (by sectionName and port, or all) are tried:
 * one whose allowedRoutes refuse the route's kind or namespace gives NotAllowedByListeners; one
 * that is not accepted is skipped; one without a common host name
 * NoMatchingListenerHostname; no listener named at all NoMatchingParent. The most telling reason
 * wins: hostname over allowedRoutes over no parent.
 */
export function attachToParent(
  route: HTTPRoute | GRPCRoute,
  parentRef: ParentReference,
  gateways: ReadonlyMap<string, OwnedGateway>,
  namespaces: readonly Namespace[],
  kind: RouteKind = 'HTTPRoute',
): ParentAttachment | null {
  if ((parentRef.group ?? GATEWAY_API_GROUP) !== GATEWAY_API_GROUP) return null;
  if ((parentRef.kind ?? 'Gateway') !== 'Gateway') return null;
  const routeNamespace = route.metadata.namespace;
  const owned = gateways.get(gatewayKey(parentRef.namespace ?? routeNamespace, parentRef.name));
  if (owned === undefined) return null;

  const named = owned.listeners.filter(
    ({ listener }) =>
      (parentRef.sectionName === undefined || parentRef.sectionName === listener.name) &&
      (parentRef.port === undefined || parentRef.port === listener.port),
  );
  const attached: ListenerAttachment[] = [];
  let notAllowed = false;
  let noHostname = false;
  for (const { listener, accepted, supportedKinds } of named) {
    // allowedRoutes first: a listener that could never take this route says so
    // (NotAllowedByListeners), even when it is not accepted itself. Its supportedKinds, not
    // kindAllowed: the verdict knows whether HTTPS is served.
    if (
      !supportedKinds.some((k) => k.kind === kind) ||
      !namespaceAllowed(owned.gateway, listener, routeNamespace, namespaces)
    ) {
      notAllowed = true;
      continue;
    }
    if (!accepted || !owned.accepted) continue;
    const hostnames = intersectHostnames(listener.hostname, route.spec.hostnames);
    if (hostnames.length === 0) {
      noHostname = true;
      continue;
    }
    attached.push({ listener, hostnames });
  }
  const accepted: Verdict =
    attached.length > 0
      ? { ok: true, reason: RouteReason.Accepted, message: 'Route is accepted' }
      : noHostname
        ? {
            ok: false,
            reason: RouteReason.NoMatchingListenerHostname,
            message: 'no hostname of the route matches the listener hostname',
          }
        : notAllowed
          ? {
              ok: false,
              reason: RouteReason.NotAllowedByListeners,
              message: "the listeners' allowedRoutes do not admit this route",
            }
          : {
              ok: false,
              reason: RouteReason.NoMatchingParent,
              message:
                named.length === 0
                  ? 'no listener matches the parentRef sectionName/port'
                  : 'no accepted listener matches the parentRef',
            };
  return { gateway: owned.gateway, parentRef, accepted, listeners: attached };
}
