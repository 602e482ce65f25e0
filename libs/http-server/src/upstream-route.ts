import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

interface UpstreamRouteConfig {
  upstream?: string;
}

/**
 * Names the upstream a route forwards to. It is Fastify route config, so reading it costs nothing per
 * request; the access line of every request of the route carries it as `upstream`.
 */
export const Upstream = (name: string): MethodDecorator =>
  RouteConfig({ upstream: name } satisfies UpstreamRouteConfig);

export function upstreamOf(request: FastifyRequest): string | undefined {
  return (request.routeOptions.config as UpstreamRouteConfig | undefined)?.upstream;
}
