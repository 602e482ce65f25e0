import { ConfigError } from '@app/env';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { httpRuleRoutes } from './http-rule-routes';
import type { RouteDefaults } from './route-defaults';
import type { RouteFile, RouteFileRoute, RouteFileUpstream } from './route-file-fields';
import type {
  HeaderModifier,
  HttpMethod,
  NameValue,
  PathModifier,
  Route,
  RouteBackend,
  RouteRedirect,
  RouteTable,
  SkippedMethod,
  UpstreamModel,
  UpstreamTraffic,
} from './route-model';
import { normalisePath, PATH_KINDS, pathMatchOf, pathShape } from './route-path';
import { routeFileOrder } from './route-file-order';
import { createRouteTable, type RouteTableContent } from './route-table';

// RFC 9110 section 9.2.2.
const IDEMPOTENT_METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'];

/**
 * The model of a validated route file: every value left out takes its default, names and paths
 * are normalised, .proto paths resolved against `baseDir` (the route file's directory), and the
 * routes of `httpRulesFromProtos` upstreams added. Throws a ConfigError (one line per problem,
 * each starting with `sourceName`) when a generated route breaks a rule of the file: a name or
 * the requests of another route.
 */
export function routeTableFromFile(
  file: RouteFile,
  defaults: RouteDefaults,
  baseDir: string,
  sourceName = 'route file',
): RouteTable {
  return createRouteTable(routeTableContentFromFile(file, defaults, baseDir, sourceName));
}

/** What routeTableFromFile makes its table of: for a caller that puts it into a larger table. */
export function routeTableContentFromFile(
  file: RouteFile,
  defaults: RouteDefaults,
  baseDir: string,
  sourceName = 'route file',
): RouteTableContent {
  const upstreams = Object.entries(file.upstreams).map(([name, upstream]) =>
    upstreamOf(name, upstream, defaults, baseDir),
  );
  const byName = new Map(upstreams.map((upstream) => [upstream.name, upstream]));
  const routes = file.routes.map((route) => {
    const first = route.upstream ?? route.backends?.find((b) => b.upstream)?.upstream;
    if (first === undefined) return routeOf(route, null, defaults);
    const upstream = byName.get(first);
    // The schema's checks ran before: every route names an upstream, redirects or responds.
    if (upstream === undefined) throw new Error(`no upstream named "${first}"`);
    return routeOf(route, upstream, defaults);
  });
  const generated = generatedRoutes(upstreams, routes, defaults, sourceName);
  return {
    upstreams,
    routes: routeFileOrder([...routes, ...generated.routes]),
    skipped: generated.skipped,
    protoDigests: protoDigestsOf(upstreams),
  };
}

/**
 * The routes of the annotations (http-rule-routes.ts). They take no requests another route takes
 * (same method, path shape, any host) and no route's name: either is an error naming both, as
 * between routes of the file - a file route does not silently replace a generated one
 * (docs/adr/0008-route-model.md).
 */
function generatedRoutes(
  upstreams: readonly UpstreamModel[],
  fileRoutes: readonly FileRoute[],
  defaults: RouteDefaults,
  sourceName: string,
): { routes: FileRoute[]; skipped: SkippedMethod[] } {
  const problems: string[] = [];
  const routes: FileRoute[] = [];
  const skipped: SkippedMethod[] = [];
  const names = new Map(fileRoutes.map((route) => [route.name, `route "${route.name}"`]));
  // The file's own routes win: a generated route for the same requests is skipped (and listed).
  // A file route with header or query conditions takes only some of them: the generated route
  // stays, tried after it.
  const listed = new Map<string, string>();
  for (const route of fileRoutes)
    if (route.match.hosts.length === 0 && !hasConditions(route))
      for (const method of route.match.methods)
        listed.set(`${method} ${pathShape(route.match.path)}`, route.name);
  const taken = new Map<string, string>();
  for (const upstream of upstreams) {
    if (upstream.kind !== 'grpc' || !upstream.httpRulesFromProtos) continue;
    const at = `${sourceName}: upstreams ${JSON.stringify(upstream.name)}: httpRulesFromProtos`;
    let own: ReturnType<typeof httpRuleRoutes>;
    try {
      own = httpRuleRoutes(upstream, defaults);
    } catch (err) {
      problems.push(`${at}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    skipped.push(...own.skipped);
    for (const route of own.routes) {
      const grpc = `${route.grpc?.service}/${route.grpc?.method}`;
      const what = `${route.match.methods[0]} ${route.match.path.path} (${grpc})`;
      const named = names.get(route.name);
      if (named !== undefined) {
        problems.push(
          `${at}: the route name "${route.name}" of ${what} is also the name of ${named}`,
        );
        continue;
      }
      const key = `${route.match.methods[0]} ${pathShape(route.match.path)}`;
      const fileRoute = listed.get(key);
      if (fileRoute !== undefined) {
        skipped.push({
          upstream: upstream.name,
          grpcPath: `/${grpc}`,
          reason: `route "${fileRoute}" of the file takes ${route.match.methods[0]} ${route.match.path.path}`,
        });
        continue;
      }
      const other = taken.get(key);
      if (other !== undefined) {
        problems.push(`${at}: ${what} takes the requests of ${other}`);
        continue;
      }
      names.set(route.name, `the generated route "${route.name}"`);
      taken.set(key, `the generated route "${route.name}" (${grpc})`);
      routes.push(route);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return { routes, skipped };
}

/** SHA-256 of each listed .proto file's bytes, in upstream order (the upstreams are sorted later). */
function protoDigestsOf(upstreams: readonly UpstreamModel[]): string[] {
  return [...upstreams]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((upstream) => (upstream.kind === 'grpc' ? upstream.protos : []))
    .map((file) => createHash('sha256').update(readFileSync(file)).digest('hex'));
}

/** A route before its precedence among the others is known (route-file-order.ts). */
type FileRoute = Omit<Route, 'order'>;

function hasConditions(route: FileRoute): boolean {
  return route.match.headers.length > 0 || route.match.query.length > 0;
}

/** `upstream` null: a redirect or respond route, whose call fields take the http defaults (unused). */
function routeOf(
  route: RouteFileRoute,
  upstream: UpstreamModel | null,
  defaults: RouteDefaults,
): FileRoute {
  const traffic = upstream?.traffic ?? defaults.traffic.http;
  const kind = PATH_KINDS.find((k) => route.match.path[k] !== undefined) ?? 'exact';
  const methods = [...new Set(route.match.methods)].sort();
  const byName = (a: NameValue, b: NameValue) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return {
    name: route.name,
    match: {
      methods,
      path: pathMatchOf(kind, route.match.path[kind] ?? '/', route.match.path.trailingSlash),
      hosts: sortedUnique((route.match.hosts ?? []).map((host) => host.toLowerCase())),
      headers: Object.entries(route.match.headers ?? {})
        .map(([name, value]) => ({ name: name.toLowerCase(), value }))
        .sort(byName),
      query: Object.entries(route.match.query ?? {})
        .map(([name, value]) => ({ name, value }))
        .sort(byName),
      ...(route.match.scheme ? { scheme: route.match.scheme } : {}),
    },
    upstream: upstream?.name ?? null,
    grpc: route.grpc ?? null,
    ...(route.backends
      ? {
          backends: route.backends.map(
            ({ upstream, respond, weight, requestHeaders, responseHeaders }): RouteBackend =>
              upstream === undefined
                ? { respond: { status: respond!.status, message: respond!.message }, weight }
                : {
                    upstream,
                    weight,
                    ...(requestHeaders ? { requestHeaders: headerModifierOf(requestHeaders) } : {}),
                    ...(responseHeaders
                      ? { responseHeaders: headerModifierOf(responseHeaders) }
                      : {}),
                  },
          ),
        }
      : {}),
    ...(route.redirect ? { redirect: redirectOf(route.redirect) } : {}),
    ...(route.respond
      ? { respond: { status: route.respond.status, message: route.respond.message } }
      : {}),
    ...(route.rewrite
      ? {
          rewrite: {
            hostname: route.rewrite.hostname?.toLowerCase() ?? null,
            path: pathModifierOf(route.rewrite.path),
          },
        }
      : {}),
    ...(route.requestHeaders ? { requestHeaders: headerModifierOf(route.requestHeaders) } : {}),
    ...(route.responseHeaders ? { responseHeaders: headerModifierOf(route.responseHeaders) } : {}),
    auth: route.auth
      ? { scheme: route.auth.scheme, scopes: sortedUnique(route.auth.scopes ?? []) }
      : defaults.auth,
    rateLimit: route.rateLimit
      ? {
          limit: route.rateLimit.limit,
          windowMs: route.rateLimit.windowMs ?? defaults.rateLimitWindowMs,
        }
      : null,
    timeoutMs: route.timeoutMs ?? traffic.timeoutMs,
    retry: {
      idempotent:
        route.retry?.idempotent ?? methods.every((method) => IDEMPOTENT_METHODS.includes(method)),
      maxAttempts: route.retry?.maxAttempts ?? traffic.retry.maxAttempts,
      perTryTimeoutMs: route.retry?.perTryTimeoutMs ?? traffic.retry.perTryTimeoutMs,
    },
    bodyLimitBytes: route.bodyLimitBytes ?? defaults.bodyLimitBytes,
    bodySchema: route.bodySchema ?? null,
  };
}

function redirectOf(redirect: NonNullable<RouteFileRoute['redirect']>): RouteRedirect {
  const { path } = redirect;
  return {
    scheme: redirect.scheme ?? null,
    hostname: redirect.hostname?.toLowerCase() ?? null,
    port: redirect.port ?? null,
    path: pathModifierOf(path),
    statusCode: redirect.statusCode ?? 302,
  };
}

function pathModifierOf(path: { full?: string; prefix?: string } | undefined): PathModifier | null {
  if (path?.full !== undefined) return { kind: 'full', path: path.full };
  if (path?.prefix !== undefined) return { kind: 'prefix', prefix: normalisePath(path.prefix) };
  return null;
}

/** Names lower case, each list sorted by name (the checks refused a name given twice). */
function headerModifierOf(edits: NonNullable<RouteFileRoute['requestHeaders']>): HeaderModifier {
  const pairs = (record: Record<string, string> | undefined): NameValue[] =>
    Object.entries(record ?? {})
      .map(([name, value]) => ({ name: name.toLowerCase(), value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    set: pairs(edits.set),
    add: pairs(edits.add),
    remove: sortedUnique((edits.remove ?? []).map((name) => name.toLowerCase())),
  };
}

function upstreamOf(
  name: string,
  upstream: RouteFileUpstream,
  defaults: RouteDefaults,
  baseDir: string,
): UpstreamModel {
  const base = defaults.traffic[upstream.kind];
  const own = upstream.traffic ?? {};
  const traffic: UpstreamTraffic = {
    timeoutMs: own.timeoutMs ?? base.timeoutMs,
    connectTimeoutMs: own.connectTimeoutMs ?? base.connectTimeoutMs,
    retry: { ...base.retry, ...own.retry },
    breaker: { ...base.breaker, ...own.breaker },
    outlier: { ...base.outlier, ...own.outlier },
    keepalive: { ...base.keepalive, ...own.keepalive },
  };
  if (upstream.kind === 'grpc')
    return {
      kind: 'grpc',
      name,
      target: upstream.target ?? '',
      protos: (upstream.protos ?? []).map((proto) => resolve(baseDir, proto)),
      httpRulesFromProtos: upstream.httpRulesFromProtos ?? false,
      traffic,
    };
  const lowerCase = (header: string) => header.toLowerCase();
  return {
    kind: 'http',
    name,
    urls: upstream.urls ?? [],
    rewrite: upstream.rewrite
      ? {
          prefix: normalisePath(upstream.rewrite.prefix),
          replacement: normalisePath(upstream.rewrite.replacement),
        }
      : null,
    headers: {
      add: Object.fromEntries(
        Object.entries(upstream.headers?.add ?? {}).map(([header, value]) => [
          lowerCase(header),
          value,
        ]),
      ),
      remove: sortedUnique((upstream.headers?.remove ?? []).map(lowerCase)),
    },
    traffic,
    ...(upstream.preserveHost === true ? { preserveHost: true as const } : {}),
  };
}

function sortedUnique(items: readonly string[]): string[] {
  return [...new Set(items)].sort();
}
