import type { FastifyRequest } from 'fastify';

const MATCHED = Symbol('matchedRoute');
const ALLOWED = Symbol('allowedMethods');

/** What the rest of the request's handling needs to know about the route table entry it matched. */
export interface MatchedRoute {
  /** The route's name in its table: what its policies (auth, rate limit) are keyed by. */
  readonly name: string;
  /** Its path as a template (`/projects`, `/orders/:id`, `/api/*`): the `route` label of metrics, logs, traces. */
  readonly label: string;
  /** None for a redirect route, which the gateway answers itself. */
  readonly upstream: string | undefined;
}

type Carrier = { [MATCHED]?: MatchedRoute; [ALLOWED]?: readonly string[] };

/**
 * The gateway serves a route table that can change at any time through one catch-all route, so
 * Fastify's own route template names nothing; the data plane matches each request once, as it
 * arrives (the first onRequest hook), and every later hook, guard and log line reads that match
 * from here - never the table again, so a request finishes on the table it started with.
 */
export function setMatchedRoute(request: FastifyRequest, route: MatchedRoute): void {
  (request as unknown as Carrier)[MATCHED] = route;
}

export function matchedRouteOf(request: FastifyRequest): MatchedRoute | undefined {
  return (request as unknown as Carrier)[MATCHED];
}

/**
 * A request no route takes with its method, although the route table has the path with others:
 * the 405's `Allow` (a method the catch-all route does not register, e.g. OPTIONS without CORS,
 * never reaches the table's own handler).
 */
export function setTableAllowedMethods(request: FastifyRequest, methods: readonly string[]): void {
  (request as unknown as Carrier)[ALLOWED] = methods;
}

export function tableAllowedMethods(request: FastifyRequest): readonly string[] {
  return (request as unknown as Carrier)[ALLOWED] ?? [];
}

/** Route config of the catch-all route that serves the route table. */
export const TABLE_ROUTE = { routeTable: true } as const;

export function isTableRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { routeTable?: boolean } | undefined)?.routeTable === true;
}

/**
 * The route template of a request: its table route's, else Fastify's (admin and fixed routes);
 * undefined when it matched nothing (the catch-all's `*` names no route).
 */
export function routeLabelOf(request: FastifyRequest): string | undefined {
  const matched = matchedRouteOf(request);
  if (matched) return matched.label;
  return isTableRoute(request) ? undefined : request.routeOptions.url;
}
