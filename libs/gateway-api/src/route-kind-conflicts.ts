import { RouteReason } from './gateway-api-conditions';
import type { GRPCRoute, HTTPRoute, RouteKind } from './gateway-api-objects';
import { ANY_HOST, hostMatches } from './hostname-intersection';
import { gatewayKey, type ParentAttachment } from './route-parents';

export interface AttachedRoute {
  readonly kind: RouteKind;
  readonly route: HTTPRoute | GRPCRoute;
  readonly attachments: readonly ParentAttachment[];
}

/**
 * GRPCRouteSpec `hostnames`: an HTTPRoute and a GRPCRoute on one listener whose host names meet
 * are not both accepted there - the older (creationTimestamp), then the first by
 * `namespace/name`, keeps the listener (an HTTPRoute and a GRPCRoute of one name: the HTTPRoute).
 * The other loses that listener, and does not contend for it with later routes; a parentRef left
 * without a listener is Accepted False, NotAllowedByListeners. Routes of one kind never conflict;
 * without GRPCRoutes nothing changes.
 */
export function resolveKindConflicts<T extends AttachedRoute>(routes: readonly T[]): T[] {
  if (new Set(routes.map((r) => r.kind)).size < 2) return [...routes];
  // Routes in precedence order, each keeping a listener unless a route of the other kind kept
  // before it there has host names in common: a route that lost a listener takes it from none.
  const kept = new Map<string, { kind: RouteKind; hostnames: readonly string[] }[]>();
  const lost = new Set<string>();
  for (const route of [...routes].sort(comparePrecedence)) {
    const seen = new Set<string>();
    for (const attachment of route.attachments)
      for (const { listener, hostnames } of attachment.listeners) {
        const key = listenerKey(attachment, listener.name);
        // One route may reach a listener through two parentRefs: judged once.
        if (seen.has(key)) continue;
        seen.add(key);
        const there = kept.get(key) ?? [];
        const conflict = there.some(
          (other) =>
            other.kind !== route.kind &&
            other.hostnames.some((a) => hostnames.some((b) => hostsOverlap(a, b))),
        );
        if (conflict) lost.add(`${routeKey(route)}|${key}`);
        else kept.set(key, [...there, { kind: route.kind, hostnames }]);
      }
  }

  return routes.map((route) => {
    let changed = false;
    const attachments = route.attachments.map((attachment) => {
      const remaining = attachment.listeners.filter(
        ({ listener }) => !lost.has(`${routeKey(route)}|${listenerKey(attachment, listener.name)}`),
      );
      if (remaining.length === attachment.listeners.length) return attachment;
      changed = true;
      return {
        ...attachment,
        listeners: remaining,
        accepted:
          remaining.length > 0 || !attachment.accepted.ok
            ? attachment.accepted
            : {
                ok: false,
                reason: RouteReason.NotAllowedByListeners,
                message: `a ${route.kind === 'HTTPRoute' ? 'GRPCRoute' : 'HTTPRoute'} with hostnames in common takes precedence on the listener`,
              },
      };
    });
    return changed ? { ...route, attachments } : route;
  });
}

function routeKey(route: AttachedRoute): string {
  return `${route.kind}:${gatewayKey(route.route.metadata.namespace, route.route.metadata.name)}`;
}

function listenerKey(attachment: ParentAttachment, listener: string): string {
  const gw = attachment.gateway.metadata;
  return `${gatewayKey(gw.namespace, gw.name)}/${listener}`;
}

/** Whether two host patterns (names, `*.` wildcards, ANY_HOST) take a host name in common. */
export function hostsOverlap(a: string, b: string): boolean {
  if (a === ANY_HOST || b === ANY_HOST || a === b) return true;
  const wildA = a.startsWith('*.');
  const wildB = b.startsWith('*.');
  if (wildA && wildB) return a.endsWith(b.slice(1)) || b.endsWith(a.slice(1));
  if (wildA) return hostMatches(a, b);
  if (wildB) return hostMatches(b, a);
  return false;
}

/** Negative: `a` is kept over `b`. */
function comparePrecedence(a: AttachedRoute, b: AttachedRoute): number {
  const ta = instant(a.route.metadata.creationTimestamp);
  const tb = instant(b.route.metadata.creationTimestamp);
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = gatewayKey(a.route.metadata.namespace, a.route.metadata.name);
  const nb = gatewayKey(b.route.metadata.namespace, b.route.metadata.name);
  if (na !== nb) return na < nb ? -1 : 1;
  return a.kind === b.kind ? 0 : a.kind === 'HTTPRoute' ? -1 : 1;
}

/** An absent or unreadable time goes last, as in match-precedence.ts. */
function instant(time: string | undefined): number {
  const t = time === undefined ? NaN : Date.parse(time);
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
}
