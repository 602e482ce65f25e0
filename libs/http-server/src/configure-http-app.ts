import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { REQUEST_ID_HEADER } from '@app/logging';
import { HttpErrorFilter } from './http-error.filter';
import { RouteTable } from './method-not-allowed';
import { BodyValidationPipe } from './validation';

/**
 * What every public HTTP listener of the stack shares: JSON errors (405 for a known path with the
 * wrong method), body validation and the request id echoed in the response.
 * Call right after NestFactory.create, before routes are registered.
 */
export function configureHttpApp(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const routes = RouteTable.track(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  app.useGlobalFilters(new HttpErrorFilter(routes));
  app.useGlobalPipes(new BodyValidationPipe());
}
