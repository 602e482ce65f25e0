import { ConfigError } from '@app/env';
import {
  createRouteTable,
  HTTP_METHODS,
  parseRouteFileContent,
  type Route,
  type RouteDefaults,
  type RedirectStatusCode,
  type RouteFile,
  type RouteTable,
  type RouteTableContent,
  type UpstreamModel,
} from '@app/routes';
import type {
  HeaderModifier,
  ListenerModel,
  MatchSource,
  NameValue,
  PathModifier,
  ServedMatch,
} from './gateway-api-model';
import { ANY_HOST } from './hostname-intersection';
import { compareMatchPrecedence } from './match-precedence';
import { type ServicePort, serviceUpstreamName, serviceUpstreamUrls } from './service-upstream';

/** A served match the table cannot express yet, left out of it: for the caller to report. */
export interface UnsupportedMatch {
  /** The name its route would have had (servedMatchName). */
  readonly name: string;
  readonly source: MatchSource;
  /** The virtual hosts it was to be served on. */
  readonly hosts: readonly string[];
  readonly reason: string;
}

export interface ListenerRouteTable {
  readonly table: RouteTable;
  /** Sorted by name. */
  readonly unsupported: readonly UnsupportedMatch[];
}

/**
 * `<namespace>.<route>.<rule>.<match>`: unique in a listener (namespaces hold no dots); a
 * GRPCRoute's ends in `.grpc`, so it never takes the name of an HTTPRoute's (those end in digits).
 */
export function servedMatchName(source: MatchSource): string {
  const name = `${source.namespace}.${source.route}.${source.rule}.${source.match}`;
  return source.kind === 'GRPCRoute' ? `${name}.grpc` : name;
}

/**
 * The route table of one listener (docs/adr/0011-gateway-api.md, "Mapping"): each served match a
 * route - taking the host names of every virtual host it is served on (none: ANY_HOST), its path
 * (Exact strict, PathPrefix by segments), its method (every method when none), headers and query;
 * `order` its place in the listener's precedence; the rule's filters on the route; policies the
 * gateway's defaults - sending to an upstream per Service port (service-upstream.ts), or answering
 * the rule's redirect.
 *
 * Each route goes through the route file's own schema, checks and builder (parseRouteFileContent, one
 * file per match): what the file refuses is refused here by the same rules, with the file's
 * words. What the table cannot express - a split with a share answered 500, backendRef filters on
 * a split, a refused field - leaves the match out and lists it in `unsupported`. Never throws on a
 * translation.
 */
export function routeTableFromListener(
  listener: ListenerModel,
  defaults: RouteDefaults,
): ListenerRouteTable {
  const { upstreams, routes, unsupported } = listenerRoutes(listener, defaults, null);
  // A method no route of the path takes matches no route: the Gateway API's 404, not a 405.
  return { table: createRouteTable({ upstreams, routes, methodMiss: 'not-found' }), unsupported };
}

/**
 * routeTableFromListener's routes, upstreams and unsupported matches, before the table is sorted
 * and versioned: for routeTableFromGateways, whose table takes them with every other listener's.
 * With `cache`, a match the cache's last build already made is not made again.
 */
export function listenerRoutes(
  listener: ListenerModel,
  defaults: RouteDefaults,
  cache: MatchRouteCache | null,
): {
  readonly upstreams: readonly UpstreamModel[];
  readonly routes: readonly Route[];
  readonly unsupported: readonly UnsupportedMatch[];
} {
  // A match stands in every virtual host it is served on (by name: one route and rule give one
  // name), and every host's list is ordered by the same precedence: its place among all of them
  // orders it within each host.
  const byName = new Map<string, { match: ServedMatch; hosts: string[] }>();
  for (const vhost of listener.hosts)
    for (const match of vhost.matches) {
      const name = servedMatchName(match.source);
      const entry = byName.get(name) ?? { match, hosts: [] };
      if (!entry.hosts.includes(vhost.hostname)) entry.hosts.push(vhost.hostname);
      byName.set(name, entry);
    }
  const ordered = [...byName.entries()].sort(([, a], [, b]) =>
    compareMatchPrecedence(a.match, b.match),
  );

  const upstreams = new Map<string, UpstreamModel>();
  const routes: Route[] = [];
  const unsupported: UnsupportedMatch[] = [];
  // An HTTPS listener's routes take what came over TLS only, an HTTP one's plain text only: an
  // http route that redirects to https never takes the https requests of its path.
  const scheme = listener.protocol === 'HTTPS' ? 'https' : 'http';
  ordered.forEach(([name, { match, hosts }], order) => {
    const built = routeOf(match, hosts, scheme, defaults, name, cache);
    if (!built.ok) {
      unsupported.push({ name, source: match.source, hosts, reason: built.reason });
      return;
    }
    for (const upstream of built.upstreams) upstreams.set(upstream.name, upstream);
    // Listeners sharing a port are isolated: a request is matched only against the routes of the
    // most specific listener hostname taking its Host (route-matcher.ts).
    routes.push({
      ...built.route,
      order,
      ...(listener.hostname === null ? {} : { listenerHost: listener.hostname }),
    });
  });
  return {
    upstreams: [...upstreams.values()],
    routes,
    unsupported: unsupported.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/**
 * The routes of served matches as a table's build made them, for the next build to take instead
 * of making them again: what a match's route file gives (the file's schema, checks and builder)
 * depends on that file alone, its route name and its upstreams' names - the key - and the
 * defaults, with which the cache starts over. One build's entries are kept for the next only, so
 * the cache holds no more than two tables' routes. A burst of changes, each a new table, then
 * checks each new match once, not every match once per table.
 */
export class MatchRouteCache {
  private defaults: RouteDefaults | undefined;
  private previous = new Map<string, BuiltRoute>();
  private current = new Map<string, BuiltRoute>();

  /** A table's build starts: what the build before it did not use is forgotten. */
  nextBuild(defaults: RouteDefaults): void {
    this.previous = defaults === this.defaults ? this.current : new Map();
    this.current = new Map();
    this.defaults = defaults;
  }

  built(key: string, build: () => BuiltRoute): BuiltRoute {
    let built = this.current.get(key) ?? this.previous.get(key);
    if (built === undefined) built = build();
    this.current.set(key, built);
    return built;
  }
}

type BuiltRoute =
  | { readonly ok: true; readonly route: Route; readonly upstreams: readonly UpstreamModel[] }
  | { readonly ok: false; readonly reason: string };

// Names of the one upstream and the one route of each match's file: the file's rules on names are
// for people writing files; the table takes the model's names (servedMatchName, the Service port).
const FILE_UPSTREAM = 'backend';
const FILE_ROUTE = 'match';

function routeOf(
  match: ServedMatch,
  hosts: readonly string[],
  scheme: 'http' | 'https',
  defaults: RouteDefaults,
  name: string,
  cache: MatchRouteCache | null,
): BuiltRoute {
  const target = targetOf(match);
  if ('reason' in target) return { ok: false, reason: target.reason };
  let file: RouteFile;
  try {
    file = fileOf(match, hosts, scheme, target);
  } catch (err) {
    if (err instanceof FilterConflict) return { ok: false, reason: err.message };
    throw err;
  }
  // The file's upstreams are `backend-<i>`, one per share: named after their Service ports.
  // One per share, by index; null for a share the gateway answers (no upstream).
  const upstreamNames =
    'shares' in target
      ? target.shares.map((share) =>
          'service' in share ? serviceUpstreamName(share.service) : null,
        )
      : [];
  const built =
    cache === null
      ? routeOfFile(file, name, upstreamNames, defaults)
      : cache.built(JSON.stringify([name, upstreamNames, file]), () =>
          routeOfFile(file, name, upstreamNames, defaults),
        );
  // A GRPCRoute's match is built as an HTTPRoute's (a POST, its path and headers), then marked:
  // the data plane passes it through over HTTP/2, trailers included, and never to HTTP/1 clients.
  if (!built.ok || match.protocol !== 'grpc') return built;
  return { ...built, route: { ...built.route, protocol: 'grpc' } };
}

/** The route of a match's file, by the file's schema, checks and builder. */
function routeOfFile(
  file: RouteFile,
  name: string,
  upstreamNames: readonly (string | null)[],
  defaults: RouteDefaults,
): BuiltRoute {
  let table: RouteTableContent;
  try {
    table = parseRouteFileContent(file, { name, baseDir: '/' }, defaults);
  } catch (err) {
    // Each line names the file's one route, which stands for the match the source name names.
    if (err instanceof ConfigError)
      return { ok: false, reason: err.message.replaceAll(`routes[0] "${FILE_ROUTE}": `, '') };
    throw err;
  }
  const [route] = table.routes;
  const named = new Map(
    upstreamNames.flatMap((upstream, i) =>
      upstream === null ? [] : [[fileUpstream(i), upstream] as const],
    ),
  );
  const upstreams = table.upstreams.map((u) => ({ ...u, name: named.get(u.name) ?? u.name }));
  const rename = (upstream: string) => named.get(upstream) ?? upstream;
  return {
    ok: true,
    route: {
      ...route,
      name,
      upstream: route.upstream === null ? null : rename(route.upstream),
      ...(route.backends
        ? {
            backends: route.backends.map((b) =>
              'upstream' in b ? { ...b, upstream: rename(b.upstream) } : b,
            ),
          }
        : {}),
    },
    upstreams,
  };
}

function fileUpstream(index: number): string {
  return `${FILE_UPSTREAM}-${index}`;
}

/** A share of a match's requests: a Service port, or an unresolved backendRef answered 500. */
type Share =
  | {
      readonly service: ServicePort;
      readonly endpoints: readonly string[];
      readonly weight: number;
      /** A split's backendRef filters, applied to its share only. */
      readonly requestHeaders: HeaderModifier | null;
      readonly responseHeaders: HeaderModifier | null;
    }
  | { readonly invalid: string; readonly weight: number };

type Target =
  | { readonly redirect: true }
  | { readonly respond: string }
  | {
      /** One or more Service ports (and unresolved backendRefs); several share by weight. */
      readonly shares: readonly Share[];
      /** The backendRef's own filters (one backend only: a split's are refused). */
      readonly requestHeaders: HeaderModifier | null;
      readonly responseHeaders: HeaderModifier | null;
    }
  | { readonly reason: string };

/**
 * Where the match's requests go. A redirect calls no backend. Otherwise the backends that take a
 * share (weight above 0): one Service port is a route to its upstream, several a route whose
 * `backends` share the requests by weight; none, or only `invalid` ones, is the spec's 500 (a
 * respond route). A split's backendRef header filters go with their share; in a split between
 * valid and invalid ones, an invalid one's share is answered 500 (a respond share).
 */
function targetOf(match: ServedMatch): Target {
  if (match.filters.redirect !== null) return { redirect: true };
  const taking = match.backends.filter((backend) => backend.weight > 0);
  if (taking.length === 0) return { respond: 'no backend of this route takes requests' };
  const invalid = taking.filter((backend) => backend.kind === 'invalid');
  if (invalid.length === taking.length)
    return {
      respond: `the backend of this route is not available: ${invalid.map((b) => b.reason).join('; ')}`,
    };
  const split = taking.length > 1;
  const single = !split && taking[0].kind === 'service' ? taking[0] : null;
  return {
    // A split's backendRef filters stay with their share; a single backend's are the route's. An
    // unresolved backendRef's share is answered 500, as the spec has it.
    shares: taking.map((backend): Share => {
      if (backend.kind === 'invalid')
        return {
          invalid: `the backend of this share is not available: ${backend.reason}`,
          weight: backend.weight,
        };
      const { service, endpoints, weight, requestHeaders, responseHeaders } = backend;
      return {
        service,
        endpoints,
        weight,
        requestHeaders: split ? requestHeaders : null,
        responseHeaders: split ? responseHeaders : null,
      };
    }),
    requestHeaders: single?.requestHeaders ?? null,
    responseHeaders: single?.responseHeaders ?? null,
  };
}

type FileRoute = RouteFile['routes'][number];

/** The match as a route file with one route (and its one upstream), for the file's checks. */
function fileOf(
  match: ServedMatch,
  hosts: readonly string[],
  scheme: 'http' | 'https',
  target: Exclude<Target, { reason: string }>,
): RouteFile {
  const { filters } = match;
  const named = hosts.includes(ANY_HOST) ? [] : hosts;
  const route: FileRoute = {
    name: FILE_ROUTE,
    match: {
      methods:
        match.method === null
          ? [...HTTP_METHODS]
          : [match.method as FileRoute['match']['methods'][number]],
      path:
        match.path.kind === 'exact'
          ? { exact: match.path.value, trailingSlash: 'strict' }
          : { prefix: match.path.value, trailingSlash: 'strict' },
      ...(named.length > 0 ? { hosts: [...named] } : {}),
      ...(match.headers.length > 0 ? { headers: recordOf(match.headers) } : {}),
      ...(match.queryParams.length > 0 ? { query: recordOf(match.queryParams) } : {}),
      scheme,
    },
  };
  // A respond route is the gateway's own error answer: nothing of it is edited.
  const responseHeaders =
    'respond' in target
      ? null
      : 'shares' in target
        ? merged(filters.responseHeaders, target.responseHeaders, 'responseHeaders')
        : filters.responseHeaders;
  if (hasEdits(responseHeaders)) route.responseHeaders = editsOf(responseHeaders);

  if ('redirect' in target && filters.redirect !== null) {
    // A request header edit of a redirect rule has nothing to edit: no request is sent on.
    const { scheme, hostname, port, path, statusCode } = filters.redirect;
    route.redirect = {
      // The CRD allows http and https only; anything else the file's schema refuses.
      ...(scheme === null ? {} : { scheme: scheme as 'http' | 'https' }),
      ...(hostname === null ? {} : { hostname }),
      ...(port === null ? {} : { port }),
      ...(path === null ? {} : { path: pathModifierOf(path) }),
      statusCode: statusCode as RedirectStatusCode,
    };
    return { formatVersion: 1, upstreams: {}, routes: [route] };
  }
  if ('respond' in target) {
    // No request is sent on: the request header edits have nothing to edit either.
    route.respond = { status: 500, message: target.respond.slice(0, 200) };
    return { formatVersion: 1, upstreams: {}, routes: [route] };
  }
  if (!('shares' in target)) throw new Error('a target is a redirect, a respond or Service ports');
  if (target.shares.length === 1) route.upstream = fileUpstream(0);
  else
    route.backends = target.shares.map((share, i) =>
      'invalid' in share
        ? { respond: { status: 500, message: share.invalid.slice(0, 200) }, weight: share.weight }
        : {
            upstream: fileUpstream(i),
            weight: share.weight,
            ...(hasEdits(share.requestHeaders)
              ? { requestHeaders: editsOf(share.requestHeaders) }
              : {}),
            ...(hasEdits(share.responseHeaders)
              ? { responseHeaders: editsOf(share.responseHeaders) }
              : {}),
          },
    );
  // Only backendRequest: one backend request is the whole request's budget too (a call that may
  // not be retried has only one; retries that never reached a backend are quick).
  const { requestMs, backendRequestMs } = match.timeouts;
  const timeoutMs = requestMs ?? backendRequestMs;
  if (timeoutMs !== null) route.timeoutMs = timeoutMs;
  if (backendRequestMs !== null) route.retry = { perTryTimeoutMs: backendRequestMs };
  const requestHeaders = merged(filters.requestHeaders, target.requestHeaders, 'requestHeaders');
  if (hasEdits(requestHeaders)) route.requestHeaders = editsOf(requestHeaders);
  const { rewrite } = filters;
  if (rewrite !== null && (rewrite.hostname !== null || rewrite.path !== null))
    route.rewrite = {
      ...(rewrite.hostname === null ? {} : { hostname: rewrite.hostname }),
      ...(rewrite.path === null ? {} : { path: pathModifierOf(rewrite.path) }),
    };
  return {
    formatVersion: 1,
    upstreams: Object.fromEntries(
      target.shares.flatMap((share, i) =>
        'invalid' in share
          ? []
          : [
              [
                fileUpstream(i),
                {
                  kind: 'http' as const,
                  urls: serviceUpstreamUrls(share.service, share.endpoints),
                  // A backend sees the Host the client sent, as the Gateway API's implementations
                  // pass it.
                  preserveHost: true,
                },
              ],
            ],
      ),
    ),
    routes: [route],
  };
}

class FilterConflict extends Error {}

/**
 * The rule's header edits, then the backendRef's: one set of edits when they name different
 * headers (edits of different headers commute). Edits of one header by both would need both
 * steps, which a route holds one of.
 */
function merged(
  rule: HeaderModifier | null,
  backend: HeaderModifier | null,
  field: string,
): HeaderModifier | null {
  if (backend === null) return rule;
  if (rule === null) return backend;
  const names = (m: HeaderModifier) => [...m.set, ...m.add].map((p) => p.name).concat(m.remove);
  const both = names(backend).filter((n) => names(rule).includes(n));
  if (both.length > 0)
    throw new FilterConflict(
      `${field}: the rule and its backendRef both edit ${[...new Set(both)].map((n) => `"${n}"`).join(', ')}, which one route's edits cannot express`,
    );
  return {
    set: [...rule.set, ...backend.set],
    add: [...rule.add, ...backend.add],
    remove: [...rule.remove, ...backend.remove],
  };
}

/** The first of a name wins, as the translation keeps it (route-rules.ts). */
function recordOf(pairs: readonly NameValue[]): Record<string, string> {
  const out = new Map<string, string>();
  for (const { name, value } of pairs) if (!out.has(name)) out.set(name, value);
  // fromEntries defines own properties: a name such as `__proto__` stays a key.
  return Object.fromEntries(out);
}

/** A filter that edits nothing is left out, as a route file would leave it. */
function hasEdits(modifier: HeaderModifier | null): modifier is HeaderModifier {
  return (
    modifier !== null && modifier.set.length + modifier.add.length + modifier.remove.length > 0
  );
}

function editsOf(modifier: HeaderModifier) {
  return {
    ...(modifier.set.length > 0 ? { set: recordOf(modifier.set) } : {}),
    ...(modifier.add.length > 0 ? { add: recordOf(modifier.add) } : {}),
    ...(modifier.remove.length > 0 ? { remove: [...modifier.remove] } : {}),
  };
}

function pathModifierOf(path: PathModifier): { full: string } | { prefix: string } {
  return path.kind === 'full' ? { full: path.path } : { prefix: path.prefix };
}
