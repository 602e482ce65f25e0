/**
 * Host names of a listener and of a route, as the Gateway API compares them (HTTPRouteSpec
 * `hostnames`, Listener `hostname`): lower case, `*.` as the first label a suffix match of one or
 * more labels (`*.example.com` takes `a.example.com` and `a.b.example.com`, not `example.com`).
 */

/** Stands for "any host": neither the listener nor the route names one. */
export const ANY_HOST = '*';

function isWildcard(host: string): boolean {
  return host.startsWith('*.');
}

/** Whether `pattern` (a name or a `*.` wildcard) takes the concrete host name `host`. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (!isWildcard(p)) return p === h;
  return h.endsWith(p.slice(1)) && h.length > p.length - 1;
}

/**
 * The host names a route serves on a listener: each route host name that meets the listener's,
 * narrowed to the more specific of the two (`*.example.com` on a `foo.example.com` listener
 * serves `foo.example.com`). Empty: no intersection - the route does not attach there
 * (NoMatchingListenerHostname). `[ANY_HOST]` when neither names a host. Sorted, no duplicates.
 */
export function intersectHostnames(
  listenerHostname: string | undefined,
  routeHostnames: readonly string[] | undefined,
): string[] {
  const listener = listenerHostname?.toLowerCase();
  const routes = (routeHostnames ?? []).map((h) => h.toLowerCase());
  if (routes.length === 0) return [listener ?? ANY_HOST];
  if (listener === undefined) return unique(routes);
  const served: string[] = [];
  for (const route of routes) {
    if (route === listener) served.push(route);
    else if (isWildcard(listener) && hostMatches(listener, wildcardBase(route))) served.push(route);
    else if (isWildcard(route) && hostMatches(route, wildcardBase(listener))) served.push(listener);
  }
  return unique(served);
}

/**
 * Whether two listener host names can take a common host: equal, one a wildcard taking the other
 * (a name, or a narrower wildcard: `*.example.com` and `*.a.example.com`), or either absent (a
 * listener naming no host takes every one). `*.example.com` and `example.com` do not overlap.
 */
export function hostnamesOverlap(
  a: string | null | undefined,
  b: string | null | undefined,
): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return true;
  return intersectHostnames(a, [b]).length > 0;
}

/**
 * A name that stands for what a host pattern takes: a wildcard `*.a.example.com` for the names
 * below it (`x.a.example.com`), a concrete name for itself. Equal wildcards are handled before.
 */
function wildcardBase(host: string): string {
  return isWildcard(host) ? `x${host.slice(1)}` : host;
}

function unique(hosts: readonly string[]): string[] {
  return [...new Set(hosts)].sort();
}

/**
 * Order of virtual hosts as the spec gives hostname precedence: a non-wildcard name before any
 * wildcard, more characters first, ANY_HOST last; then alphabetical for a stable order. For two
 * wildcards that can take the same host one is a suffix of the other, so more characters is the
 * same as more labels - the rule GatewaySpec `listeners` gives for listener hostnames.
 */
export function compareHostSpecificity(a: string, b: string): number {
  const rank = (h: string) => (h === ANY_HOST ? 2 : isWildcard(h) ? 1 : 0);
  return rank(a) - rank(b) || b.length - a.length || (a < b ? -1 : a > b ? 1 : 0);
}
