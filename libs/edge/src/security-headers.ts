import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Security headers on every public answer, via @fastify/helmet, tuned for a JSON API: nothing may
 * be rendered or framed (`default-src 'none'`), `nosniff`, no referrer. Cross-origin reads are
 * refused by Cross-Origin-Resource-Policy unless CORS is on, where CORS decides. HSTS only when the
 * gateway serves TLS itself (browsers ignore it over plain HTTP; an Ingress sets its own). Errors are never
 * cached (`Cache-Control: no-store`): a 401 or 429 must not be replayed by a cache.
 */
export async function registerSecurityHeaders(
  fastify: FastifyInstance,
  options: { corsEnabled: boolean; tls: boolean },
): Promise<void> {
  await fastify.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    crossOriginResourcePolicy: { policy: options.corsEnabled ? 'cross-origin' : 'same-origin' },
    hsts: options.tls ? { maxAge: 31_536_000 } : false,
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode >= 400) reply.header('cache-control', 'no-store');
    reply.removeHeader('x-powered-by');
    done(null, payload);
  });
}
