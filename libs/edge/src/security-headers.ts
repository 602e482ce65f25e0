import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Security headers on every public answer, via @fastify/helmet, tuned for a JSON API: nothing may
 * be rendered or framed (`default-src 'none'`), `nosniff`, no referrer. Cross-origin reads are
 * refused by Cross-Origin-Resource-Policy unless CORS is on, where CORS decides. HSTS is left to
 * whoever terminates TLS (an Ingress); over plain HTTP browsers ignore it anyway. Errors are never
 * cached (`Cache-Control: no-store`): a 401 or 429 must not be replayed by a cache.
 */
export async function registerSecurityHeaders(
  fastify: FastifyInstance,
  options: { corsEnabled: boolean },
): Promise<void> {
  await fastify.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    crossOriginResourcePolicy: { policy: options.corsEnabled ? 'cross-origin' : 'same-origin' },
    hsts: false,
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode >= 400) reply.header('cache-control', 'no-store');
    reply.removeHeader('x-powered-by');
    done(null, payload);
  });
}
