import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { logRequests, REQUEST_ID_HEADER } from '@app/logging';
import { UNMATCHED_ROUTE } from '@app/metrics';
import { setHttpRoute, tracingEnabled } from '@app/tracing';
import { HttpErrorFilter } from './http-error.filter';
import { RouteTable } from './route-table';
import { matchedRouteOf, routeLabelOf } from './matched-route';

/**
 * What every public HTTP listener of the stack shares: JSON errors (405 for a known path with the
 * wrong method), body validation, the request id echoed in the response, and the route template
 * (and upstream) on the access line and the trace.
 * Call right after NestFactory.create, before routes are registered.
 */
export function configureHttpApp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const routes = RouteTable.track(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  logRequests(fastify, (request) => ({
    route: routeLabelOf(request) ?? UNMATCHED_ROUTE,
    upstream: matchedRouteOf(request)?.upstream,
  }));
  if (tracingEnabled()) {
    // Registered only with tracing on: the server span becomes `POST /projects`, not `POST`.
    fastify.addHook('onRequest', (request, _reply, done) => {
      const route = routeLabelOf(request);
      if (route) setHttpRoute(route);
      done();
    });
  }
  app.useGlobalFilters(new HttpErrorFilter(routes));
}
