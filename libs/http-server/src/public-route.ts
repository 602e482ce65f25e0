import type { FastifyRequest } from 'fastify';

/**
 * Route config of a route anyone may read whatever the authentication settings (the gateway's
 * OpenAPI document): the auth hook lets it pass.
 */
export const PUBLIC_ROUTE = { public: true } as const;

export function isPublicRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { public?: boolean } | undefined)?.public === true;
}
