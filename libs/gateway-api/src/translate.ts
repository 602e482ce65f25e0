import { backendIndex } from './backend-references';
import { condition, RouteCondition } from './gateway-api-conditions';
import type { GatewayApiSnapshot, GRPCRoute, HTTPRoute, RouteKind } from './gateway-api-objects';
import type {
  GatewayModel,
  RouteStatusModel,
  ServedMatch,
  Translation,
  VirtualHost,
} from './gateway-api-model';
import { gatewayClassStatus, gatewayRefusal, gatewayStatus } from './gateway-status';
import { compareHostSpecificity } from './hostname-intersection';
import { validateListeners } from './listener-validation';
import { compareMatchPrecedence } from './match-precedence';
import {
  attachToParent,
  gatewayKey,
  type OwnedGateway,
  type ParentAttachment,
} from './route-parents';
import { translateGrpcRouteRules } from './grpc-route-rules';
import { resolveKindConflicts } from './route-kind-conflicts';
import { type RouteRulesTranslation, translateRouteRules } from './route-rules';
import { supportedFeatures } from './supported-features';
import { overlappingTlsConfig } from './tls-overlap';

export interface TranslateOptions {
  /**
   * Serve HTTPS listeners (tls.mode Terminate): the data plane terminates TLS with the
   * certificates of the listeners' certificateRefs, read from `snapshot.secrets`. Off (the
   * default): HTTPS listeners are refused, UnsupportedProtocol.
   */
  readonly https?: boolean;
  /**
   * Serve GRPCRoutes (`snapshot.grpcRoutes`): GRPCRoute is then a supported kind of HTTP and
   * HTTPS listeners, and GRPCRoutes attach as HTTPRoutes do. Off (the default): listeners do not
   * list it, and a GRPCRoute naming one is NotAllowedByListeners - the spec asks h2c of every
   * listener that takes GRPCRoutes, which the data plane does not provide yet.
   */
  readonly grpc?: boolean;
  /**
   * Each (Gateway, port) is served on a listener of its own, each Gateway at its own Service's
   * address (GATEWAY_API_INTERNAL_PORTS): only what the GatewayClass says it supports changes.
   */
  readonly gatewayAddresses?: boolean;
}

/**
 * Translates one snapshot of the Gateway API objects into what this controller's Gateways serve
 * and the status the spec asks of it. Pure: equal snapshots, equal translations. Only GatewayClasses
 * naming `controllerName`, their Gateways and the routes whose parentRefs name those Gateways are
 * considered; everything else belongs to other controllers and is left alone.
 */
export function translate(
  snapshot: GatewayApiSnapshot,
  controllerName: string,
  options: TranslateOptions = {},
): Translation {
  const listenerContext = {
    https: options.https ?? false,
    grpc: options.grpc ?? false,
    secrets: snapshot.secrets,
    referenceGrants: snapshot.referenceGrants,
  };
  const classes = snapshot.gatewayClasses
    .filter((c) => c.spec.controllerName === controllerName)
    .sort((a, b) => compare(a.metadata.name, b.metadata.name));
  const classNames = new Set(classes.map((c) => c.metadata.name));

  const owned = new Map<string, OwnedGateway>();
  for (const gateway of [...snapshot.gateways].sort((a, b) =>
    compare(
      gatewayKey(a.metadata.namespace, a.metadata.name),
      gatewayKey(b.metadata.namespace, b.metadata.name),
    ),
  )) {
    if (!classNames.has(gateway.spec.gatewayClassName)) continue;
    const listeners = validateListeners(gateway, listenerContext);
    owned.set(gatewayKey(gateway.metadata.namespace, gateway.metadata.name), {
      gateway,
      accepted: gatewayRefusal(gateway) === null && listeners.some((l) => l.accepted),
      listeners,
    });
  }

  // Per Gateway and listener: the matches served per host name, and the routes attached.
  const served = new Map<string, Map<string, Map<string, ServedMatch[]>>>();
  const attachedRoutes = new Map<string, Map<string, Set<string>>>();
  const routeStatus: RouteStatusModel[] = [];

  const backends = backendIndex(snapshot);
  // HTTPRoutes, then GRPCRoutes, each sorted by namespace/name: precedence between routes is in
  // the matches themselves (match-precedence.ts), this order only makes the output stable.
  const routes: (
    { kind: 'HTTPRoute'; route: HTTPRoute } | { kind: 'GRPCRoute'; route: GRPCRoute }
  )[] = [
    ...sortedRoutes(snapshot.httpRoutes).map((route) => ({ kind: 'HTTPRoute' as const, route })),
    ...sortedRoutes(snapshot.grpcRoutes).map((route) => ({
      kind: 'GRPCRoute' as const,
      route,
    })),
  ];
  // Every route's attachments first: an HTTPRoute and a GRPCRoute may contend for a listener.
  const attachedTo = resolveKindConflicts(
    routes.map((entry) => ({
      ...entry,
      attachments: (entry.route.spec.parentRefs ?? [])
        .map((ref) => attachToParent(entry.route, ref, owned, snapshot.namespaces, entry.kind))
        .filter((a): a is ParentAttachment => a !== null),
    })),
  );
  for (const { kind, route, attachments } of attachedTo) {
    if (attachments.length === 0) continue;
    const rules =
      kind === 'GRPCRoute'
        ? translateGrpcRouteRules(route, snapshot, backends)
        : translateRouteRules(route, snapshot, backends);
    // Kind first: an HTTPRoute and a GRPCRoute of one name are two routes in attachedRoutes.
    const routeKey = `${kind}:${gatewayKey(route.metadata.namespace, route.metadata.name)}`;
    // The host lists this route's matches went into: one route may reach one listener through two
    // parentRefs, and its matches are served once. (Its matches are its own objects: no other
    // route's are among them, so this is what looking for each in the list would find.)
    const servedOn = new Set<ServedMatch[]>();

    for (const attachment of attachments) {
      const gwKey = gatewayKey(
        attachment.gateway.metadata.namespace,
        attachment.gateway.metadata.name,
      );
      for (const { listener, hostnames } of attachment.listeners) {
        getOrSet(
          getOrSet(attachedRoutes, gwKey, () => new Map()),
          listener.name,
          () => new Set(),
        ).add(routeKey);
        if (!rules.accepted.ok) continue;
        const hosts = getOrSet(
          getOrSet(served, gwKey, () => new Map()),
          listener.name,
          () => new Map(),
        );
        for (const hostname of hostnames) {
          const list = getOrSet(hosts, hostname, (): ServedMatch[] => []);
          if (servedOn.has(list)) continue;
          servedOn.add(list);
          for (const match of rules.matches) list.push(match);
        }
      }
    }
    routeStatus.push(routeStatusOf(route, kind, attachments, rules, controllerName));
  }

  // Served HTTPS listeners whose host names overlap, across Gateways: they share the TLS port.
  const overlaps = overlappingTlsConfig(owned);
  const gateways: GatewayModel[] = [];
  const gatewayStatuses = [];
  for (const [key, { gateway, accepted, listeners }] of owned) {
    const attached = new Map(
      [...(attachedRoutes.get(key) ?? new Map<string, Set<string>>())].map(([name, set]) => [
        name,
        set.size,
      ]),
    );
    const overlapping = overlaps.get(key);
    // OverlappingTLSConfig after the verdict's conditions: their order stays as it was.
    const withOverlaps = listeners.map((l) => {
      const overlap = overlapping?.get(l.listener.name);
      return overlap === undefined ? l : { ...l, conditions: [...l.conditions, overlap] };
    });
    gatewayStatuses.push(
      gatewayStatus(gateway, withOverlaps, attached, snapshot.gatewayAddresses?.[key] ?? []),
    );
    if (!accepted) continue;
    gateways.push({
      gateway: { namespace: gateway.metadata.namespace, name: gateway.metadata.name },
      // Accepted listeners whose certificates do not resolve keep their routes attached (status)
      // but serve nothing.
      listeners: listeners
        .filter((l) => l.programmed)
        .map(({ listener, certificates }) => ({
          name: listener.name,
          port: listener.port,
          protocol: listener.protocol === 'HTTPS' ? ('HTTPS' as const) : ('HTTP' as const),
          certificates,
          hostname: listener.hostname?.toLowerCase() ?? null,
          hosts: virtualHosts(served.get(key)?.get(listener.name)),
        })),
    });
  }

  return {
    gateways,
    status: {
      gatewayClasses: classes.map((c) => gatewayClassStatus(c, supportedFeatures(options))),
      gateways: gatewayStatuses,
      routes: routeStatus,
    },
  };
}

function virtualHosts(hosts: Map<string, ServedMatch[]> | undefined): VirtualHost[] {
  return [...(hosts ?? new Map<string, ServedMatch[]>())]
    .sort(([a], [b]) => compareHostSpecificity(a, b))
    .map(([hostname, matches]) => ({
      hostname,
      matches: [...matches].sort(compareMatchPrecedence),
    }));
}

/**
 * One status entry per parentRef of this controller, in the route's order: Accepted from the
 * attachment (or the route's own refusal, UnsupportedValue, once it did attach); ResolvedRefs
 * from its backends, the same for every parent.
 */
function routeStatusOf(
  route: HTTPRoute | GRPCRoute,
  kind: RouteKind,
  attachments: readonly ParentAttachment[],
  rules: RouteRulesTranslation,
  controllerName: string,
): RouteStatusModel {
  const generation = route.metadata.generation;
  return {
    route: { namespace: route.metadata.namespace, name: route.metadata.name },
    kind,
    parents: attachments.map(({ parentRef, accepted }) => {
      const verdict = accepted.ok ? rules.accepted : accepted;
      return {
        parentRef,
        controllerName,
        conditions: [
          condition(
            RouteCondition.Accepted,
            verdict.ok,
            verdict.reason,
            verdict.message,
            generation,
          ),
          condition(
            RouteCondition.ResolvedRefs,
            rules.resolvedRefs.ok,
            rules.resolvedRefs.reason,
            rules.resolvedRefs.message,
            generation,
          ),
        ],
      };
    }),
  };
}

function sortedRoutes<T extends HTTPRoute | GRPCRoute>(routes: readonly T[]): T[] {
  return [...routes].sort((a, b) =>
    compare(
      gatewayKey(a.metadata.namespace, a.metadata.name),
      gatewayKey(b.metadata.namespace, b.metadata.name),
    ),
  );
}

function getOrSet<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
