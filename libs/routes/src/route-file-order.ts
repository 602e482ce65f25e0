import type { Route } from './route-model';

/**
 * The precedence of a route file's routes (`Route.order`): among routes the matcher finds on one
 * router entry - the same method, path and host - the one with more header conditions first,
 * then more query conditions, then by name. So a route with conditions is tried before the route
 * without any that takes the rest of its path, as Gateway API orders its matches; routes with as
 * many conditions go by name, which the file's checks make the only tie left.
 */
export function routeFileOrder(routes: readonly Omit<Route, 'order'>[]): Route[] {
  const ranked = [...routes].sort(
    (a, b) =>
      b.match.headers.length - a.match.headers.length ||
      b.match.query.length - a.match.query.length ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const orderOf = new Map(ranked.map((route, order) => [route, order]));
  return routes.map((route) => ({ ...route, order: orderOf.get(route) ?? 0 }));
}
