import type { HeaderModifier, Route, UpstreamBackend } from '@app/routes';
import type { RouteHandler } from './route-handler';

/** One upstream's handler of a route whose requests are shared, and its share. */
export interface WeightedHandler {
  readonly weight: number;
  readonly handle: RouteHandler;
}

/**
 * A route whose requests several upstreams share (route-model.ts `backends`): each request goes to
 * one handler chosen at random in proportion to its weight, so shares hold over any number of
 * gateway replicas without coordination - what a canary split needs. `random` is for tests.
 */
export function weightedRouteHandler(
  handlers: readonly WeightedHandler[],
  random: () => number = Math.random,
): RouteHandler {
  const taking = handlers.filter((h) => h.weight > 0);
  const total = taking.reduce((sum, h) => sum + h.weight, 0);
  if (total === 0) throw new Error('a weighted route needs a weight above 0');
  return (request, reply, params) => pick(taking, total, random()).handle(request, reply, params);
}

/** The share whose range of [0, total) holds `draw` (in [0, 1)): a handler, or a gRPC route's share. */
export function pick<T extends { readonly weight: number }>(
  handlers: readonly T[],
  total: number,
  draw: number,
): T {
  let point = draw * total;
  for (const handler of handlers) {
    if (point < handler.weight) return handler;
    point -= handler.weight;
  }
  return handlers[handlers.length - 1];
}

/**
 * The route as one backend of its split serves it: the route's header edits and the backend's
 * together (the route file lets them edit different headers only, so the order does not matter).
 */
export function withBackendEdits(route: Route, backend: UpstreamBackend): Route {
  const requestHeaders = joinedEdits(route.requestHeaders, backend.requestHeaders);
  const responseHeaders = joinedEdits(route.responseHeaders, backend.responseHeaders);
  return {
    ...route,
    ...(requestHeaders ? { requestHeaders } : {}),
    ...(responseHeaders ? { responseHeaders } : {}),
  };
}

/** A route's header edits and one backend's, as one (they edit different headers). */
export function joinedEdits(
  a: HeaderModifier | undefined,
  b: HeaderModifier | undefined,
): HeaderModifier | undefined {
  if (!a || !b) return a ?? b;
  return {
    set: [...a.set, ...b.set],
    add: [...a.add, ...b.add],
    remove: [...a.remove, ...b.remove],
  };
}
