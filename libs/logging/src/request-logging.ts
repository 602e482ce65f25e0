import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import type { AccessLogFields } from './access-log';
import { pathOf } from './logger-options';
import { runInRequest } from './request-context';

/**
 * Request logging of a public HTTP listener, as two Fastify hooks: every request runs in its
 * logging context (its lines carry `request_id`), and one access line is written when its response
 * is sent: route template (never the raw URL), upstream, method, path without the query string,
 * status and duration. An allowlist: no header ever reaches it. Hooks rather than pino-http behind
 * Nest's middleware runner, which cost a child logger, serializers and a middleware chain per
 * request (docs/performance.md).
 */
export function logRequests(
  fastify: FastifyInstance,
  fieldsOf: (request: FastifyRequest) => AccessLogFields,
): void {
  // nestjs-pino creates the root logger when the app initialises, after the hooks are added.
  let root: Logger | undefined;
  fastify.addHook('onRequest', (request, _reply, done) => runInRequest(String(request.id), done));
  fastify.addHook('onResponse', (request, reply, done) => {
    root ??= PinoLogger.root;
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
    if (root.isLevelEnabled(level)) {
      const { route, upstream } = fieldsOf(request);
      root[level](
        {
          request_id: request.id,
          route,
          upstream,
          req: { method: request.method, url: pathOf(request.url) },
          res: { status },
          duration_ms: Math.round(reply.elapsedTime),
        },
        status >= 500 ? 'request failed' : 'request completed',
      );
    }
    done();
  });
}
