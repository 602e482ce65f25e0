import type { MatchedRoute } from '@app/http-server';
import {
  compileBodySchema,
  type GrpcUpstreamModel,
  type Route,
  type RouteTable,
} from '@app/routes';
import { BadRequestException } from '@nestjs/common';
import { loadProtoRoot } from '@app/transcoding';
import { dirname } from 'node:path';
import type { Root } from 'protobufjs';
import { type GrpcPassRoute, grpcPassRoute, grpcReplicas } from './grpc-pass-through';
import { type Binding, bindingOf, grpcRouteHandler } from './grpc-route';
import { httpRouteHandler } from './http-route';
import { redirectRouteHandler } from './redirect-route';
import { respondRouteHandler } from './respond-route';
import { weightedRouteHandler, withBackendEdits } from './weighted-route';
import type { RouteHandler } from './route-handler';
import { RouteMatcher } from './route-matcher';
import type { LiveUpstream } from './upstream-pool';

/** A route ready to serve: what the request carries of it, and its handler. */
export interface CompiledRoute {
  readonly route: Route;
  readonly matched: MatchedRoute;
  readonly handle: RouteHandler;
  /** gRPC routes: how requests map onto the method (also what the OpenAPI document says). */
  readonly binding: Binding | undefined;
}

/** A route table ready to serve: immutable, swapped as a whole. */
export interface CompiledTable {
  readonly table: RouteTable;
  /** The routes of requests in plain text, and of those over TLS the gateway terminated. */
  readonly matchers: SchemeMatchers<CompiledRoute>;
  /** The routes of gRPC calls (`protocol: grpc`), passed through over HTTP/2; none of HTTP/1. */
  readonly grpc: SchemeMatchers<GrpcPassRoute>;
  /** The replicas (`http://host:port`) its gRPC routes call. */
  readonly grpcReplicas: ReadonlySet<string>;
  readonly routes: ReadonlyMap<string, CompiledRoute>;
}

export interface SchemeMatchers<T> {
  readonly http: RouteMatcher<T>;
  readonly https: RouteMatcher<T>;
}

/**
 * One matcher per scheme, each of the routes of no scheme and of its own (route-model.ts
 * `match.scheme`): an `http` route and an `https` route of one path and host are apart, as two
 * listeners would keep them. A table without schemes gets one matcher for both.
 */
export function schemeMatchers<T>(
  entries: ReadonlyArray<{ route: Route; target: T }>,
  options: ConstructorParameters<typeof RouteMatcher<T>>[1],
): SchemeMatchers<T> {
  if (entries.every(({ route }) => route.match.scheme === undefined)) {
    const both = new RouteMatcher(entries, options);
    return { http: both, https: both };
  }
  const of = (scheme: 'http' | 'https') =>
    new RouteMatcher(
      entries.filter(({ route }) => (route.match.scheme ?? scheme) === scheme),
      options,
    );
  return { http: of('http'), https: of('https') };
}

/** Every route of `table` bound to its running upstream; throws (one line) on what cannot be served. */
export function compileTable(
  table: RouteTable,
  upstreams: ReadonlyMap<string, LiveUpstream>,
): CompiledTable {
  const roots = new Map<string, Root>();
  const rootOf = (model: GrpcUpstreamModel): Root => {
    let root = roots.get(model.name);
    if (!root) {
      root = loadProtoRoot({
        files: model.protos,
        includeDirs: [...new Set(model.protos.map((file) => dirname(file)))],
      });
      roots.set(model.name, root);
    }
    return root;
  };
  const models = new Map(table.upstreams.map((model) => [model.name, model]));
  const grpcEntries = table.routes
    .filter((route) => route.protocol === 'grpc')
    .map((route) => ({ route, target: grpcPassRoute(route, models) }));
  const entries = table.routes
    .filter((route) => route.protocol !== 'grpc')
    .map((route) => {
      let handle: RouteHandler;
      let binding: Binding | undefined;
      const model = route.upstream === null ? undefined : models.get(route.upstream);
      const live = route.upstream === null ? undefined : upstreams.get(route.upstream);
      if (route.upstream === null) {
        if (route.redirect) handle = redirectRouteHandler(route, route.redirect);
        else if (route.respond) handle = respondRouteHandler(route.respond);
        else throw new Error(`route "${route.name}": no upstream, redirect or respond`);
      } else if (!model || !live) {
        throw new Error(`route "${route.name}": no upstream "${route.upstream}"`);
      } else if (route.backends) {
        handle = weightedRouteHandler(
          route.backends.map((backend) => {
            // A share the gateway answers itself (an unresolved backendRef's 500).
            if (!('upstream' in backend))
              return { weight: backend.weight, handle: respondRouteHandler(backend.respond) };
            const backendModel = models.get(backend.upstream);
            const backendLive = upstreams.get(backend.upstream);
            if (backendModel?.kind !== 'http' || backendLive?.kind !== 'http')
              throw new Error(`route "${route.name}": no http upstream "${backend.upstream}"`);
            return {
              weight: backend.weight,
              handle: httpRouteHandler(
                withBackendEdits(route, backend),
                backendModel,
                backendLive.upstream,
              ),
            };
          }),
        );
      } else if (live.kind === 'http' && model.kind === 'http') {
        handle = httpRouteHandler(route, model, live.upstream);
      } else if (live.kind === 'grpc' && model.kind === 'grpc' && route.grpc) {
        binding = bindingOf(route, route.grpc, rootOf(model));
        handle = grpcRouteHandler(route, route.grpc, binding, live.upstream, live.client);
      } else {
        throw new Error(
          `route "${route.name}": its upstream "${route.upstream}" is of another kind`,
        );
      }
      if (route.bodySchema) handle = checkingBodies(compileBodySchema(route.bodySchema), handle);
      const matched: MatchedRoute = {
        name: route.name,
        label: labelOf(route),
        upstream: route.upstream ?? undefined,
      };
      return { route, target: { route, matched, handle, binding } };
    });
  return {
    table,
    matchers: schemeMatchers(entries, { methodMiss: table.methodMiss }),
    grpc: schemeMatchers(grpcEntries, { methodMiss: 'not-found' }),
    grpcReplicas: grpcReplicas(grpcEntries.map(({ target }) => target)),
    routes: new Map(entries.map(({ route, target }) => [route.name, target])),
  };
}

/** The body must satisfy the route's schema before any upstream is called: else a 400 naming the field. */
function checkingBodies(
  check: ReturnType<typeof compileBodySchema>,
  handle: RouteHandler,
): RouteHandler {
  return (request, reply, params) => {
    const problem = check(request.body);
    if (problem) throw new BadRequestException({ message: problem.message, field: problem.field });
    return handle(request, reply, params);
  };
}

/** The route's path as a template: the `route` label of metrics, access lines and traces. */
export function labelOf(route: Route): string {
  const { path } = route.match;
  if (path.kind !== 'prefix') return path.path;
  return path.path === '/' ? '/*' : `${path.path}/*`;
}
