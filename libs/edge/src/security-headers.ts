import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The security headers of every public answer, decided by helmet, tuned for a JSON API: nothing may
 * be rendered or framed (`default-src 'none'`), `nosniff`, no referrer. Cross-origin reads are
 * refused by Cross-Origin-Resource-Policy unless CORS is on, where CORS decides. HSTS only when the
 * gateway serves TLS itself (browsers ignore it over plain HTTP; an Ingress sets its own).
 */
export function securityHeaders(options: {
  corsEnabled: boolean;
  tls: boolean;
}): Record<string, string> {
  const helmetOptions: HelmetOptions = {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    crossOriginResourcePolicy: { policy: options.corsEnabled ? 'cross-origin' : 'same-origin' },
    strictTransportSecurity: options.tls ? { maxAge: 31_536_000 } : false,
  };
  // No nonces and nothing per request in this policy: helmet runs once, on a recorder.
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(helmetOptions)({} as IncomingMessage, recorder as unknown as ServerResponse, (err) => {
    if (err) throw err;
  });
  return headers;
}

/**
 * Sets the security headers on every public answer, computed once (see securityHeaders) rather
 * than by helmet's middleware per request (docs/performance.md). Errors are never cached
 * (`Cache-Control: no-store`): a 401 or 429 must not be replayed by a cache.
 */
export function registerSecurityHeaders(
  fastify: FastifyInstance,
  options: { corsEnabled: boolean; tls: boolean },
): void {
  const headers = securityHeaders(options);
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (reply.statusCode >= 400) reply.header('cache-control', 'no-store');
    reply.removeHeader('x-powered-by');
    done(null, payload);
  });
}
