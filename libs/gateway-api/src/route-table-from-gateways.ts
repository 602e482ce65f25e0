import {
  createRouteTable,
  type Route,
  type RouteDefaults,
  type RouteTable,
  type UpstreamModel,
} from '@app/routes';
import type { ListenerModel, ObjectRef, Translation } from './gateway-api-model';
import { type GatewayPortAllocation, gatewayPortKey } from './gateway-ports';
import {
  listenerRoutes,
  type MatchRouteCache,
  type UnsupportedMatch,
} from './route-table-from-listener';

export interface GatewaysRouteTable {
  readonly table: RouteTable;
  /** Sorted by listener, then name. */
  readonly unsupported: readonly (UnsupportedMatch & { readonly listener: string })[];
}

/** Spaces one listener's `order` values apart from the next one's. */
const ORDER_STRIDE = 1_000_000;

/**
 * The one table the gateway's listener serves for every programmed listener of this controller's
 * Gateways (docs/adr/0011-gateway-api.md, "Gateways and listeners onto processes": the interim
 * step before a Node listener per Gateway and port), HTTPS ones as HTTP ones: their TLS is
 * terminated before the table is consulted. Each listener's routes keep their host names,
 * so listeners that differ by hostname stay apart; where two listeners take the same requests,
 * the Gateway first by namespace and name, then its listener first in its spec, wins. A route
 * attached to several listeners appears once per listener, its name qualified by the listener's
 * when there is more than one.
 */
export function routeTableFromGateways(
  translation: Translation,
  defaults: RouteDefaults,
  /** The routes the last build made (gateway-api-reloads.ts keeps one across builds). */
  cache: MatchRouteCache | null = null,
): GatewaysRouteTable {
  cache?.nextBuild(defaults);
  return tableOfListeners(
    translation.gateways.flatMap((gateway) =>
      gateway.listeners.map((listener) => ({
        id: listenerId(gateway.gateway, listener),
        listener,
      })),
    ),
    defaults,
    cache,
  );
}

/** One (Gateway, listener port)'s table, for the Node listener on its internal port. */
export interface GatewayPortRouteTable extends GatewaysRouteTable {
  readonly gateway: ObjectRef;
  /** The listener port: the port of the Gateway's Service. */
  readonly port: number;
  /** The pod port the Service sends `port` to (gateway-ports.ts). */
  readonly internalPort: number;
  /**
   * The Gateway's listeners on `port`, in its order: HTTPS ones carry the certificates the
   * Node listener terminates TLS with (a translation of just these gives tls-termination.ts's
   * sites).
   */
  readonly listeners: readonly ListenerModel[];
}

/**
 * A table per (Gateway, listener port) the allocation gave an internal port, key the internal
 * port (docs/adr/0011-gateway-api.md, "Per-Gateway addresses"): the Node listener on that port
 * serves it and no other Gateway's routes, so two Gateways both on port 80 without hostname stay
 * apart. Within one, the Gateway's listeners of that port are served as routeTableFromGateways
 * serves all of them (route names qualified by listener when there are several, listener order
 * between equal matches; host names chosen by specificity in the data plane). A pair without an
 * internal port gets no table. Sorted by internal port. One `cache` build for all the tables:
 * pass a cache routeTableFromGateways does not also use, or the two builds evict each other.
 */
export function routeTablesByGatewayPort(
  translation: Translation,
  defaults: RouteDefaults,
  allocation: GatewayPortAllocation,
  cache: MatchRouteCache | null = null,
): Map<number, GatewayPortRouteTable> {
  cache?.nextBuild(defaults);
  const tables: GatewayPortRouteTable[] = [];
  for (const model of translation.gateways) {
    const ports = [...new Set(model.listeners.map((l) => l.port))];
    for (const port of ports) {
      const internalPort = allocation.ports.get(gatewayPortKey(model.gateway, port));
      if (internalPort === undefined) continue;
      const listeners = model.listeners.filter((l) => l.port === port);
      const built = tableOfListeners(
        listeners.map((listener) => ({ id: listenerId(model.gateway, listener), listener })),
        defaults,
        cache,
      );
      tables.push({ ...built, gateway: model.gateway, port, internalPort, listeners });
    }
  }
  return new Map(
    tables.sort((a, b) => a.internalPort - b.internalPort).map((t) => [t.internalPort, t]),
  );
}

function listenerId(gateway: ObjectRef, listener: ListenerModel): string {
  return `${gateway.namespace}/${gateway.name}/${listener.name}`;
}

/**
 * The table of `listeners`: each one's routes, names qualified by the listener's id when there
 * is more than one, its `order` after every earlier listener's; upstreams shared.
 */
function tableOfListeners(
  listeners: readonly { readonly id: string; readonly listener: ListenerModel }[],
  defaults: RouteDefaults,
  cache: MatchRouteCache | null,
): GatewaysRouteTable {
  const qualify = listeners.length > 1;
  const upstreams = new Map<string, UpstreamModel>();
  const routes: Route[] = [];
  const unsupported: (UnsupportedMatch & { listener: string })[] = [];
  listeners.forEach(({ id, listener }, index) => {
    const built = listenerRoutes(listener, defaults, cache);
    for (const upstream of built.upstreams) upstreams.set(upstream.name, upstream);
    for (const route of built.routes)
      routes.push({
        ...route,
        name: qualify ? `${id}:${route.name}` : route.name,
        order: index * ORDER_STRIDE + route.order,
      });
    unsupported.push(...built.unsupported.map((entry) => ({ ...entry, listener: id })));
  });
  // A method no route of the path takes matches no route: the Gateway API's 404, not a 405.
  const table = createRouteTable({
    upstreams: [...upstreams.values()],
    routes,
    methodMiss: 'not-found',
  });
  return { table, unsupported };
}
