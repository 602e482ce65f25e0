import { errorBody } from '@app/http-server';
import type { RouteResponse } from '@app/routes';
import type { RouteHandler } from './route-handler';

/**
 * A respond route (route-model.ts RouteResponse): answered by the gateway with the route's error
 * status and the stack's JSON error body, no upstream called - e.g. the Gateway API's 500 for a rule
 * whose backends are all invalid. The route's response header edits do not apply: this is the
 * gateway's own error answer, like its 502s.
 */
export function respondRouteHandler(respond: RouteResponse): RouteHandler {
  const body = JSON.stringify(errorBody(respond.status, respond.message));
  return async (_request, reply) => {
    reply.status(respond.status).header('content-type', 'application/json; charset=utf-8');
    // Not awaited: a FastifyReply is thenable and would wait for the socket to finish.
    void reply.send(body);
  };
}
