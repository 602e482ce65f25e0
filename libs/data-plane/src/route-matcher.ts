import { httpRuleSegments, normalisePath, type Route } from '@app/routes';
import { parsePathTemplate } from '@app/transcoding';
import FindMyWay, { type HTTPMethod, type HTTPVersion, type Instance } from 'find-my-way';
import {
  type RequestConditions,
  type RequestHeaders,
  requestConditions,
} from './request-conditions';
import { moreSpecific, OverlapIndex, pathsOverlap } from './router-path-order';

/** A request's route: its table entry and the values of its path template's variables. */
export interface RouteHit<T> {
  readonly target: T;
  readonly params: Readonly<Record<string, string | undefined>>;
}

/** No route takes the request; `allowed` lists the methods that would (405), empty for a 404. */
export interface RouteMiss {
  readonly allowed: readonly string[];
}

type Params = Readonly<Record<string, string | undefined>>;

/**
 * A route registered at one router path. Several can share one: http-rule templates are
 * registered coarsely (google.api.http matches more finely than find-my-way: a `:verb` suffix,
 * `**`), and each then checks the path exactly; routes that differ by header or query
 * conditions, or by a strict trailing slash, share one too. `params` gives the route's
 * variables, or null when the path is not the route's after all.
 */
interface Candidate<T> {
  readonly target: T;
  /**
   * Tried in this order: a template with a verb, a template without, an exact path or template,
   * a prefix; then by the route's `order`.
   */
  readonly rank: number;
  readonly order: number;
  /** An http-rule template without a `:verb`, which a request ending in a known verb skips. */
  readonly verbless: boolean;
  readonly params: (path: string, found: Params) => Params | null;
  /** The route's header and query conditions; null when it has none. */
  readonly conditions: RequestConditions | null;
  /**
   * Whether the route may decline a request of its router entry that another route would take:
   * it has conditions, or is a strict exact path. Such an entry gets a fallback.
   */
  readonly declines: boolean;
}

/** A route's candidate and where it is registered, in one router. */
interface Registration<T> {
  /** Its place in its host group: names the sets of routes that fallbacks are built of. */
  readonly id: number;
  readonly candidate: Candidate<T>;
  readonly methods: readonly string[];
  /** find-my-way paths. */
  readonly paths: readonly string[];
}

/** The store of one router entry. */
interface Entry<T> {
  readonly candidates: Candidate<T>[];
  /**
   * Set when a candidate may decline (`declines`): where a request none of them takes goes on -
   * a router of the other routes that may take a path of the entry after it, so the next less
   * specific route is found as if this entry did not exist (as Gateway API's precedence has it).
   */
  fallback: PathRouter<T> | null;
}

/**
 * What the routers of one host group share while they are built: fallbacks of the same routes are
 * one router (nested conditional prefixes would otherwise build a router per way down), and a
 * bound on the routes all fallbacks hold, so that no table makes the build run away.
 */
interface Build<T> {
  readonly routers: Map<string, PathRouter<T>>;
  /** `<method> <ids>` of the fallbacks counted against the budget. */
  readonly charged: Set<string>;
  budget: number;
}

const FALLBACK_BUDGET = 200_000;

/** A find-my-way router, and the method its entries are registered under (see PathRouter). */
interface MethodRouter {
  readonly router: Instance<HTTPVersion.V1>;
  readonly as: HTTPMethod;
}

/**
 * The find-my-way routers of a set of routes, and the candidates of their entries. Methods whose
 * entries are the same - the same paths, each with the same routes - share one router, their
 * entries registered under the first of them: a Gateway API match without a method takes all
 * seven, and find-my-way compiles a function for each entry and checks each new one against
 * every one it holds, which made a table's build grow with the square of its routes times seven.
 */
class PathRouter<T> {
  readonly methods = new Set<string>();
  private readonly routers = new Map<string, MethodRouter>();

  constructor(registrations: readonly Registration<T>[], build: Build<T>) {
    // Each method's entries: its paths, each with the candidates registered there.
    const byMethod = new Map<string, Map<string, Candidate<T>[]>>();
    for (const registration of registrations) {
      for (const method of registration.methods) {
        let paths = byMethod.get(method);
        if (!paths) {
          paths = new Map();
          byMethod.set(method, paths);
        }
        for (const path of registration.paths) {
          let candidates = paths.get(path);
          if (!candidates) {
            candidates = [];
            paths.set(path, candidates);
          }
          if (!candidates.includes(registration.candidate)) candidates.push(registration.candidate);
        }
      }
      for (const method of registration.methods) this.methods.add(method);
    }
    const place = new Map(registrations.map((registration, i) => [registration.candidate, i]));
    const classes = new Map<string, { methods: string[]; paths: Map<string, Candidate<T>[]> }>();
    for (const [method, paths] of byMethod) {
      const signature = JSON.stringify(
        [...paths].map(([path, candidates]) => [path, candidates.map((c) => place.get(c))]),
      );
      const known = classes.get(signature);
      if (known) known.methods.push(method);
      else classes.set(signature, { methods: [method], paths });
    }
    const entries: (Entry<T> & { methods: readonly string[]; path: string })[] = [];
    for (const { methods, paths } of classes.values()) {
      const router: MethodRouter = {
        router: FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true }),
        as: methods[0] as HTTPMethod,
      };
      for (const method of methods) this.routers.set(method, router);
      for (const [path, candidates] of paths) {
        const entry = { candidates, fallback: null, methods, path };
        entries.push(entry);
        router.router.on(router.as, path, () => undefined, entry);
      }
    }
    // Built when an entry first needs it: most tables have no entry that declines.
    let index: OverlapIndex | undefined;
    for (const entry of entries) {
      entry.candidates.sort((a, b) => a.rank - b.rank || a.order - b.order);
      if (!entry.candidates.some((candidate) => candidate.declines)) continue;
      index ??= new OverlapIndex(registrations.map((registration) => registration.paths));
      // Routes find-my-way tries before this entry never reach it: only the others can follow.
      // Every method of the entry has the same routes: the first stands for them all.
      const [method] = entry.methods;
      const rest = index.overlapping(entry.path).flatMap((i) => {
        const other = registrations[i];
        return !entry.candidates.includes(other.candidate) &&
          other.methods.includes(method) &&
          other.paths.some(
            (path) => pathsOverlap(path, entry.path) && !moreSpecific(path, entry.path),
          )
          ? [other]
          : [];
      });
      if (rest.length === 0) continue;
      const ids = rest.map((other) => other.id).join(',');
      const key = `${entry.methods.join(',')} ${ids}`;
      let fallback = build.routers.get(key);
      if (!fallback) {
        // The budget counts the routes of each method's fallback, as a router per method would.
        for (const each of entry.methods) {
          const charge = `${each} ${ids}`;
          if (build.charged.has(charge)) continue;
          build.charged.add(charge);
          build.budget -= rest.length;
        }
        if (build.budget < 0)
          throw new Error(
            'too many routes with header or query conditions or strict paths over one another to build the fallbacks of',
          );
        fallback = new PathRouter(
          rest.map((other) => ({ ...other, methods: entry.methods })),
          build,
        );
        build.routers.set(key, fallback);
      }
      entry.fallback = fallback;
    }
  }

  lookup(
    method: string,
    path: string,
    verbed: boolean,
    headers: RequestHeaders,
    query: string,
  ): RouteHit<T> | null {
    const router = this.routers.get(method);
    const found = router ? router.router.find(router.as, path) : null;
    if (!found) return null;
    const entry = found.store as Entry<T>;
    for (const candidate of entry.candidates) {
      if (verbed && candidate.verbless) continue;
      if (candidate.conditions !== null && !candidate.conditions(headers, query)) continue;
      const params = candidate.params(path, found.params);
      if (params) return { target: candidate.target, params };
    }
    return entry.fallback === null
      ? null
      : entry.fallback.lookup(method, path, verbed, headers, query);
  }
}

/** One router per host pattern: exact names first, then `*.` wildcards, then any host. */
interface HostGroup<T> {
  readonly accepts: (host: string) => boolean;
  readonly paths: PathRouter<T>;
}

/** The routes of one listener hostname (Route.listenerHost): its host groups, in that order. */
interface ListenerDomain<T> {
  readonly accepts: (host: string) => boolean;
  readonly groups: readonly HostGroup<T>[];
}

/**
 * Finds the route of a request in one table, by specificity as docs/adr/0008-route-model.md says:
 * only among the routes of the most specific listener hostname that takes the Host (Gateway API
 * listeners are isolated; route files have one, ''); there, a named host before any host; within one, find-my-way's order - a static path before a
 * template, a template before a prefix, a longer prefix before a shorter one. One trailing slash
 * is ignored, except by strict exact paths. Routes on one router entry are tried by `order`, the
 * first whose header and query conditions hold taking the request; when none does, the next less
 * specific route is tried. Built once per table.
 */
export class RouteMatcher<T> {
  /** Most specific listener hostname first: a request is matched in the first taking its Host. */
  private readonly listeners: ListenerDomain<T>[];
  /** The `:verb`s of the table's http-rule templates. */
  private readonly verbs = new Set<string>();

  /**
   * `methodMiss: 'not-found'`: a method no route of the path takes is a 404, not a 405 (the
   * table's `methodMiss`).
   */
  constructor(
    entries: ReadonlyArray<{ route: Route; target: T }>,
    private readonly options: { methodMiss?: 'not-found' } = {},
  ) {
    // By listener hostname (its isolation domain), then by the route's own host names.
    const byListener = new Map<string, Map<string, Registration<T>[]>>();
    for (const { route, target } of entries) {
      const hosts = route.match.hosts.length > 0 ? route.match.hosts : [''];
      const listener = route.listenerHost ?? '';
      let byHost = byListener.get(listener);
      if (!byHost) {
        byHost = new Map();
        byListener.set(listener, byHost);
      }
      const { paths, rank, verbless, params, verb } = registration(route);
      const conditions = requestConditions(route.match);
      const candidate: Candidate<T> = {
        target,
        rank,
        order: route.order,
        verbless,
        params,
        conditions,
        declines:
          conditions !== null ||
          (route.match.path.kind === 'exact' && route.match.path.trailingSlash === 'strict'),
      };
      if (verb !== undefined) this.verbs.add(verb);
      for (const host of hosts) {
        let group = byHost.get(host);
        if (!group) {
          group = [];
          byHost.set(host, group);
        }
        group.push({ id: group.length, candidate, methods: route.match.methods, paths });
      }
    }
    this.listeners = [...byListener.entries()]
      .sort(([a], [b]) => compareHostPatterns(a, b))
      .map(([listener, byHost]) => ({
        accepts: hostTest(listener),
        groups: [...byHost.entries()]
          .sort(([a], [b]) => compareHostPatterns(a, b))
          .map(([host, registrations]) => ({
            accepts: hostTest(host),
            paths: new PathRouter(registrations, {
              routers: new Map(),
              charged: new Set(),
              budget: FALLBACK_BUDGET,
            }),
          })),
      }));
  }

  /**
   * `path` without the query string; `host` as the Host header gives it (a port is ignored);
   * `headers` and `query` (the query string) are read only by routes with conditions.
   */
  find(
    method: string,
    path: string,
    host: string | undefined,
    headers: RequestHeaders = NO_HEADERS,
    query = '',
  ): RouteHit<T> | RouteMiss {
    const name = hostName(host);
    const listener = this.listeners.find((each) => each.accepts(name));
    const groups = listener ? listener.groups.filter((group) => group.accepts(name)) : [];
    // As Envoy's and ESP's transcoders read google.api.http: a last segment ending in a verb of
    // the table (`/v1/shelves/3:archive`) is that verb's, never a variable of a verb-less template.
    const verbed = this.verbs.size > 0 && this.verbs.has(verbOf(path));
    for (const { paths } of groups) {
      const found =
        paths.lookup(method, path, verbed, headers, query) ??
        (method === 'HEAD' && !paths.methods.has('HEAD')
          ? paths.lookup('GET', path, verbed, headers, query)
          : null);
      if (found) return found;
    }
    if (this.options.methodMiss === 'not-found') return { allowed: [] };
    for (const { paths } of groups) {
      const allowed = [...paths.methods].filter(
        (other) => paths.lookup(other, path, verbed, headers, query) !== null,
      );
      if (allowed.length > 0) return { allowed: allowed.sort() };
    }
    return { allowed: [] };
  }
}

/**
 * find-my-way syntax of a route's path - a literal `:` doubled, variables as positional `:pN`
 * (so that routes sharing a router path agree on it), a prefix as `p` and `p/*` - and how the
 * route's own variables are read from a hit.
 */
function registration(
  route: Route,
): Pick<Candidate<never>, 'rank' | 'verbless' | 'params'> & { paths: string[]; verb?: string } {
  const { path } = route.match;
  const literal = (segment: string) => segment.replaceAll(':', '::');
  if (path.kind === 'exact') {
    const paths = [literal(normalisePath(path.path))];
    if (path.trailingSlash === 'ignore') return { paths, rank: 2, verbless: false, params: NONE };
    // The router ignores one trailing slash; a strict path checks it. A route without conditions
    // allocates nothing here: NONE is shared.
    const slash = path.path.length > 1 && path.path.endsWith('/');
    const params = (requestPath: string) =>
      requestPath.endsWith('/') === slash ? NO_PARAMS : null;
    return { paths, rank: 2, verbless: false, params: path.path === '/' ? NONE : params };
  }
  if (path.kind === 'prefix') {
    const escaped = literal(path.path);
    const paths = escaped === '/' ? ['/', '/*'] : [escaped, `${escaped}/*`];
    return { paths, rank: 3, verbless: false, params: (_, found) => found };
  }
  if (path.kind === 'template') {
    let n = 0;
    const escaped = path.path
      .split('/')
      .map((segment) => (/^\{\w+\}$/.test(segment) ? `:p${n++}` : literal(segment)))
      .join('/');
    const params = (_: string, found: Params) =>
      Object.fromEntries(path.variables.map((name, i) => [name, found[`p${i}`]]));
    return { paths: [escaped], rank: 2, verbless: false, params };
  }
  // http-rule: `*` as a parameter, `**` as a wildcard (zero or more segments: with and without
  // it), a verb kept with a literal last segment or left inside the parameter or wildcard.
  const { segments, verb } = httpRuleSegments(path.path);
  const deep = segments.at(-1) === '**';
  let n = 0;
  const parts = (deep ? segments.slice(0, -1) : segments).map((segment) =>
    segment === '*' ? `:p${n++}` : literal(segment),
  );
  if (
    verb !== undefined &&
    !deep &&
    (parts.length === 0 || !parts[parts.length - 1].startsWith(':'))
  )
    parts.push(`${parts.pop() ?? ''}::${verb}`);
  const base = `/${parts.join('/')}`;
  const paths = deep ? (base === '/' ? ['/', '/*'] : [base, `${base}/*`]) : [base];
  const template = parsePathTemplate(path.path);
  const params = (requestPath: string): Params | null => {
    const exact = requestPath.length > 1 ? requestPath.replace(/\/$/, '') : requestPath;
    try {
      return template.match(exact);
    } catch {
      // A malformed percent-encoding (find-my-way already refuses those in parameters): the
      // route's handler matches again and answers 400 naming the variable.
      return {};
    }
  };
  return { paths, rank: verb === undefined ? 1 : 0, verbless: verb === undefined, params, verb };
}

const NO_HEADERS: RequestHeaders = Object.freeze({});
const NO_PARAMS: Params = Object.freeze({});
const NONE = (): Params => NO_PARAMS;

/** Exact names first, longer first, then wildcards, longer first, then '' (any host). */
function compareHostPatterns(a: string, b: string): number {
  const rank = (host: string) => (host === '' ? 2 : host.startsWith('*.') ? 1 : 0);
  return rank(a) - rank(b) || b.length - a.length;
}

function hostTest(pattern: string): (host: string) => boolean {
  if (pattern === '') return () => true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    // One or more labels before it, as the Gateway API, Envoy and nginx read a wildcard:
    // `a.example.com` and `a.b.example.com`, not `example.com`.
    return (host) => host.endsWith(suffix) && host.length > suffix.length;
  }
  return (host) => host === pattern;
}

/** The Host header's name: lower case, without the port (IPv6 literals keep their brackets). */
function hostName(host: string | undefined): string {
  if (!host) return '';
  const lower = host.toLowerCase();
  const colon = lower.lastIndexOf(':');
  return colon > lower.lastIndexOf(']') ? lower.slice(0, colon) : lower;
}

/** What follows the last `:` of the path's last segment ('' without one; a trailing `/` ignored). */
function verbOf(path: string): string {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const last = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  return colon < 0 ? '' : last.slice(colon + 1);
}
