import { resolve } from 'node:path';
import type { RouteDefaults } from './route-defaults';
import type { RouteFile, RouteFileRoute, RouteFileUpstream } from './route-file-fields';
import type { HttpMethod, Route, RouteTable, UpstreamModel, UpstreamTraffic } from './route-model';
import { normalisePath, PATH_KINDS, pathMatchOf } from './route-path';
import { createRouteTable } from './route-table';

// RFC 9110 section 9.2.2.
const IDEMPOTENT_METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'];

/**
 * The model of a validated route file: every value left out takes its default, names and paths
 * are normalised, .proto paths resolved against `baseDir` (the route file's directory).
 */
export function routeTableFromFile(
  file: RouteFile,
  defaults: RouteDefaults,
  baseDir: string,
): RouteTable {
  const upstreams = Object.entries(file.upstreams).map(([name, upstream]) =>
    upstreamOf(name, upstream, defaults, baseDir),
  );
  const byName = new Map(upstreams.map((upstream) => [upstream.name, upstream]));
  const routes = file.routes.map((route) => {
    const upstream = byName.get(route.upstream);
    // The schema's checks ran before: every route names an upstream.
    if (upstream === undefined) throw new Error(`no upstream named "${route.upstream}"`);
    return routeOf(route, upstream, defaults);
  });
  return createRouteTable({ upstreams, routes });
}

function routeOf(route: RouteFileRoute, upstream: UpstreamModel, defaults: RouteDefaults): Route {
  const kind = PATH_KINDS.find((k) => route.match.path[k] !== undefined) ?? 'exact';
  const methods = [...new Set(route.match.methods)].sort();
  return {
    name: route.name,
    match: {
      methods,
      path: pathMatchOf(kind, route.match.path[kind] ?? '/'),
      hosts: sortedUnique((route.match.hosts ?? []).map((host) => host.toLowerCase())),
    },
    upstream: upstream.name,
    grpc: route.grpc ?? null,
    auth: route.auth
      ? { scheme: route.auth.scheme, scopes: sortedUnique(route.auth.scopes ?? []) }
      : defaults.auth,
    rateLimit: route.rateLimit
      ? {
          limit: route.rateLimit.limit,
          windowMs: route.rateLimit.windowMs ?? defaults.rateLimitWindowMs,
        }
      : null,
    timeoutMs: route.timeoutMs ?? upstream.traffic.timeoutMs,
    retry: {
      idempotent:
        route.retry?.idempotent ?? methods.every((method) => IDEMPOTENT_METHODS.includes(method)),
      maxAttempts: route.retry?.maxAttempts ?? upstream.traffic.retry.maxAttempts,
    },
    bodyLimitBytes: route.bodyLimitBytes ?? defaults.bodyLimitBytes,
    bodySchema: route.bodySchema ?? null,
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
  };
}

function sortedUnique(items: readonly string[]): string[] {
  return [...new Set(items)].sort();
}
