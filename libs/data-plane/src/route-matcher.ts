import type { Route } from '@app/routes';
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

/** One router per host pattern: exact names first, then `*.` wildcards, then any host. */
interface HostGroup {
  readonly accepts: (host: string) => boolean;
  readonly router: Instance<FindMyWay.HTTPVersion.V1>;
  readonly methods: Set<string>;
}

/**
 * Finds the route of a request in one table, by specificity as docs/adr/0008-route-model.md says:
 * a named host before any host; within one, find-my-way's order - a static path before a
 * template, a template before a prefix, a longer prefix before a shorter one. One trailing slash
 * is ignored. Built once per table; the table's routes never overlap (the route file's checks).
 */
export class RouteMatcher<T> {
  private readonly groups: HostGroup[];

  constructor(entries: ReadonlyArray<{ route: Route; target: T }>) {
    const byHost = new Map<string, HostGroup>();
    for (const { route, target } of entries) {
      const hosts = route.match.hosts.length > 0 ? route.match.hosts : [''];
      for (const host of hosts) {
        let group = byHost.get(host);
        if (!group) {
          group = {
            accepts: hostTest(host),
            router: FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true }),
            methods: new Set(),
          };
          byHost.set(host, group);
        }
        for (const method of route.match.methods)
          for (const path of routerPaths(route))
            group.router.on(method as HTTPMethod, path, () => undefined, target);
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
    for (const group of groups) {
      const found =
        group.router.find(method as HTTPMethod, path) ??
        (method === 'HEAD' && !group.methods.has('HEAD') ? group.router.find('GET', path) : null);
      if (found) return { target: found.store as T, params: found.params };
    }
    for (const group of groups) {
      const allowed = [...group.methods].filter(
        (other) => group.router.find(other as HTTPMethod, path) !== null,
      );
      if (allowed.length > 0) return { allowed: allowed.sort() };
    }
    return { allowed: [] };
  }
}

/** find-my-way syntax of a route's path: `{v}` -> `:v`, a literal `:` doubled, a prefix as `p` and `p/*`. */
function routerPaths(route: Route): string[] {
  const { path } = route.match;
  const escaped = path.path
    .split('/')
    .map((segment) =>
      path.kind === 'template' && /^\{\w+\}$/.test(segment)
        ? `:${segment.slice(1, -1)}`
        : segment.replaceAll(':', '::'),
    )
    .join('/');
  if (path.kind !== 'prefix') return [escaped];
  return escaped === '/' ? ['/', '/*'] : [escaped, `${escaped}/*`];
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
