import { httpRuleSegments, type Route } from '@app/routes';
import { parsePathTemplate } from '@app/transcoding';
import FindMyWay, { type HTTPMethod, type Instance } from 'find-my-way';

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
 * `**`), and each then checks the path exactly. `params` gives the route's variables, or null
 * when the path is not the route's after all.
 */
interface Candidate<T> {
  readonly target: T;
  /** Tried in this order: a template with a verb, a template without, any other route. */
  readonly rank: number;
  /** An http-rule template without a `:verb`, which a request ending in a known verb skips. */
  readonly verbless: boolean;
  readonly params: (path: string, found: Params) => Params | null;
}

/** One router per host pattern: exact names first, then `*.` wildcards, then any host. */
interface HostGroup<T> {
  readonly accepts: (host: string) => boolean;
  readonly router: Instance<FindMyWay.HTTPVersion.V1>;
  readonly methods: Set<string>;
  /** By `method routerPath`: the store of that router entry. */
  readonly entries: Map<string, Candidate<T>[]>;
}

/**
 * Finds the route of a request in one table, by specificity as docs/adr/0008-route-model.md says:
 * a named host before any host; within one, find-my-way's order - a static path before a
 * template, a template before a prefix, a longer prefix before a shorter one. One trailing slash
 * is ignored. Built once per table; the table's routes never overlap (the route file's checks).
 */
export class RouteMatcher<T> {
  private readonly groups: HostGroup<T>[];
  /** The `:verb`s of the table's http-rule templates. */
  private readonly verbs = new Set<string>();

  constructor(entries: ReadonlyArray<{ route: Route; target: T }>) {
    const byHost = new Map<string, HostGroup<T>>();
    for (const { route, target } of entries) {
      const hosts = route.match.hosts.length > 0 ? route.match.hosts : [''];
      const { paths, rank, verbless, params, verb } = registration(route);
      const candidate: Candidate<T> = { target, rank, verbless, params };
      if (verb !== undefined) this.verbs.add(verb);
      for (const host of hosts) {
        let group = byHost.get(host);
        if (!group) {
          group = {
            accepts: hostTest(host),
            router: FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true }),
            methods: new Set(),
            entries: new Map(),
          };
          byHost.set(host, group);
        }
        for (const method of route.match.methods)
          for (const path of paths) {
            const key = `${method} ${path}`;
            let candidates = group.entries.get(key);
            if (!candidates) {
              candidates = [];
              group.entries.set(key, candidates);
              group.router.on(method as HTTPMethod, path, () => undefined, candidates);
            }
            candidates.push(candidate);
            candidates.sort((a, b) => a.rank - b.rank);
          }
        for (const method of route.match.methods) group.methods.add(method);
      }
    }
    const rank = (host: string) => (host === '' ? 2 : host.startsWith('*.') ? 1 : 0);
    this.groups = [...byHost.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || b.length - a.length)
      .map(([, group]) => group);
  }

  /** `path` without the query string; `host` as the Host header gives it (a port is ignored). */
  find(method: string, path: string, host: string | undefined): RouteHit<T> | RouteMiss {
    const name = hostName(host);
    const groups = this.groups.filter((group) => group.accepts(name));
    // As Envoy's and ESP's transcoders read google.api.http: a last segment ending in a verb of
    // the table (`/v1/shelves/3:archive`) is that verb's, never a variable of a verb-less template.
    const verbed = this.verbs.size > 0 && this.verbs.has(verbOf(path));
    for (const group of groups) {
      const found =
        lookup(group, method, path, verbed) ??
        (method === 'HEAD' && !group.methods.has('HEAD')
          ? lookup(group, 'GET', path, verbed)
          : null);
      if (found) return found;
    }
    for (const group of groups) {
      const allowed = [...group.methods].filter(
        (other) => lookup(group, other, path, verbed) !== null,
      );
      if (allowed.length > 0) return { allowed: allowed.sort() };
    }
    return { allowed: [] };
  }
}

function lookup<T>(
  group: HostGroup<T>,
  method: string,
  path: string,
  verbed: boolean,
): RouteHit<T> | null {
  const found = group.router.find(method as HTTPMethod, path);
  if (!found) return null;
  for (const candidate of found.store as Candidate<T>[]) {
    if (verbed && candidate.verbless) continue;
    const params = candidate.params(path, found.params);
    if (params) return { target: candidate.target, params };
  }
  return null;
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
  if (path.kind === 'exact')
    return { paths: [literal(path.path)], rank: 2, verbless: false, params: () => ({}) };
  if (path.kind === 'prefix') {
    const escaped = literal(path.path);
    const paths = escaped === '/' ? ['/', '/*'] : [escaped, `${escaped}/*`];
    return { paths, rank: 2, verbless: false, params: (_, found) => found };
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

function hostTest(pattern: string): (host: string) => boolean {
  if (pattern === '') return () => true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    // Exactly one more label: `a.example.com`, not `example.com` nor `a.b.example.com`.
    return (host) =>
      host.endsWith(suffix) &&
      host.length > suffix.length &&
      !host.slice(0, -suffix.length).includes('.');
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
