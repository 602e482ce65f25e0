import {
  createRouteTable,
  type Route,
  type RouteDefaults,
  type RouteTable,
  type UpstreamModel,
} from '@app/routes';
import type { Translation } from './gateway-api-model';
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
  const listeners = translation.gateways.flatMap((gateway) =>
    gateway.listeners.map((listener) => ({
      id: `${gateway.gateway.namespace}/${gateway.gateway.name}/${listener.name}`,
      listener,
    })),
  );
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
