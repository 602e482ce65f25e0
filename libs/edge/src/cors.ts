import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { CorsEnv } from './edge-env';

export function corsEnabled(config: CorsEnv): boolean {
  return config.CORS_ALLOWED_ORIGINS.length > 0;
}

/**
 * CORS with @fastify/cors, only when CORS_ALLOWED_ORIGINS lists origins (`*` = any): preflights
 * are answered by the gateway itself, never forwarded. Credentials (cookies) are not allowed:
 * the API authenticates with headers. Browsers may read the request id and rate-limit headers.
 */
export async function registerCors(fastify: FastifyInstance, config: CorsEnv): Promise<void> {
  if (!corsEnabled(config)) return;
  const origins = config.CORS_ALLOWED_ORIGINS;
  await fastify.register(cors, {
    origin: origins.includes('*') ? '*' : origins,
    methods: config.CORS_ALLOWED_METHODS,
    allowedHeaders: config.CORS_ALLOWED_HEADERS,
    exposedHeaders: ['x-request-id', 'ratelimit', 'ratelimit-policy', 'retry-after'],
    maxAge: config.CORS_MAX_AGE_S,
    credentials: false,
  });
}
