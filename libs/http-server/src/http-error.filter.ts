import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-body';
import { tableAllowedMethods } from './matched-route';
import type { RouteTable } from './route-table';

/**
 * The last word on every error of a public HTTP listener: a JSON body that names the problem, the
 * right status, and never a stack trace (those go to the log, for 5xx only).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  constructor(private readonly routes: RouteTable) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();

    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 404 && request.routeOptions.url === undefined) {
        const allowed = [
          ...new Set([...this.routes.allowedMethods(request.url), ...tableAllowedMethods(request)]),
        ];
        if (allowed.length > 0) {
          reply
            .status(405)
            .header('allow', allowed.join(', '))
            .send(
              errorBody(
                405,
                `method ${request.method} is not allowed on ${request.url.split('?', 1)[0]}; use ${allowed.join(', ')}`,
              ),
            );
          return;
        }
        reply
          .status(404)
          .send(errorBody(404, `no route for ${request.method} ${request.url.split('?', 1)[0]}`));
        return;
      }
      // Exceptions may carry response headers (e.g. Retry-After from an open circuit breaker).
      const headers = (exception as { headers?: Record<string, string> }).headers;
      if (headers) reply.headers(headers);
      reply.status(status).send(bodyOf(exception));
      return;
    }

    const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      // Fastify's own client errors (malformed JSON, unsupported media type, body too large).
      reply.status(fastifyStatus).send(errorBody(fastifyStatus, (exception as Error).message));
      return;
    }

    this.logger.error({ err: exception }, 'unhandled error');
    reply.status(500).send(errorBody(500, 'internal error'));
  }
}

function bodyOf(exception: HttpException) {
  const status = exception.getStatus();
  const response = exception.getResponse();
  if (typeof response === 'string') return errorBody(status, response);
  const { message, statusCode: _s, error: _e, ...details } = response as Record<string, unknown>;
  const text = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
  return errorBody(status, text, details);
}
