import { type HttpBinding, HttpRuleError, loadHttpRules } from '@app/transcoding';
import { dirname } from 'node:path';
import type { RouteDefaults } from './route-defaults';
import {
  type GrpcUpstreamModel,
  HTTP_METHODS,
  type HttpMethod,
  type Route,
  type SkippedMethod,
} from './route-model';

/**
 * The routes an upstream's `google.api.http` annotations imply, and the methods that got none.
 * Their `order` comes with the file's routes (route-file-order.ts).
 */
export interface HttpRuleRoutes {
  readonly routes: Omit<Route, 'order'>[];
  readonly skipped: SkippedMethod[];
}

// The route-name rule of the route file (route-file-fields.ts): generated names obey it too.
const NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

/**
 * Every binding of the annotated methods of `upstream`'s services as a route (docs/adr/0008-route-model.md):
 * named `<upstream>.<method in lower case>`, `.<n>` added for the n-th additional binding; its
 * rule's HTTP method and path (kind `http-rule`); the gateway's defaults as policies - auth
 * AUTH_DEFAULT, the shared rate-limit budget, the upstream's timeout and attempts, retried after
 * reaching the upstream only for GET. Streaming methods and custom HTTP methods the model has not
 * become `skipped`. Throws (one line, no file name) on a malformed rule or an unusable name.
 */
export function httpRuleRoutes(
  upstream: GrpcUpstreamModel,
  defaults: RouteDefaults,
): HttpRuleRoutes {
  let rules: ReturnType<typeof loadHttpRules>;
  try {
    rules = loadHttpRules({
      files: upstream.protos,
      includeDirs: [...new Set(upstream.protos.map((file) => dirname(file)))],
    });
  } catch (err) {
    if (err instanceof HttpRuleError)
      throw new Error(`google.api.http rule ${err.message}`, { cause: err });
    throw err;
  }
  const skipped: SkippedMethod[] = rules.refused.map(({ grpcPath, reason }) => ({
    upstream: upstream.name,
    grpcPath,
    reason,
  }));
  const routes: Omit<Route, 'order'>[] = [];
  const seen = new Map<string, number>();
  for (const binding of rules.bindings) {
    const index = seen.get(binding.grpcPath) ?? 0;
    seen.set(binding.grpcPath, index + 1);
    const skip = (reason: string) =>
      skipped.push({ upstream: upstream.name, grpcPath: binding.grpcPath, reason });
    if (binding.serverStreaming) {
      // Once per method, not per binding.
      if (index === 0) skip('server-streaming methods are not served over HTTP');
      continue;
    }
    if (!(HTTP_METHODS as readonly string[]).includes(binding.httpMethod)) {
      skip(`custom HTTP method ${binding.httpMethod} of ${binding.template.source} is not routed`);
      continue;
    }
    const name = `${upstream.name}.${binding.method.toLowerCase()}${index === 0 ? '' : `.${index}`}`;
    if (!NAME.test(name))
      throw new Error(
        `route name "${name}" for ${binding.grpcPath} breaks the route-name rule (at most 63 lower-case letters, digits, ".", "_" or "-"): shorten the upstream's name`,
      );
    routes.push(routeOf(name, binding, upstream, defaults));
  }
  return { routes, skipped };
}

function routeOf(
  name: string,
  binding: HttpBinding,
  upstream: GrpcUpstreamModel,
  defaults: RouteDefaults,
): Omit<Route, 'order'> {
  const method = binding.httpMethod as HttpMethod;
  return {
    name,
    match: {
      methods: [method],
      path: {
        kind: 'http-rule',
        path: binding.template.source,
        variables: [...binding.template.variables],
      },
      hosts: [],
      headers: [],
      query: [],
    },
    upstream: upstream.name,
    grpc: {
      service: binding.service,
      method: binding.method,
      httpRule: { body: binding.body ?? null, responseBody: binding.responseBody ?? null },
    },
    auth: defaults.auth,
    rateLimit: null,
    timeoutMs: upstream.traffic.timeoutMs,
    // Only GET is safe by google.api.http's conventions; PUT and DELETE rules often are not.
    retry: {
      idempotent: method === 'GET',
      maxAttempts: upstream.traffic.retry.maxAttempts,
      perTryTimeoutMs: upstream.traffic.retry.perTryTimeoutMs,
    },
    bodyLimitBytes: defaults.bodyLimitBytes,
    bodySchema: null,
  };
}
