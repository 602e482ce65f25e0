import type { HttpUpstreamModel, Route } from '@app/routes';
import { TEST_DEFAULTS } from '../../routes/src/route-file.fixture';
import Fastify, { type InjectOptions, type LightMyRequestResponse } from 'fastify';
import type { CompiledTable } from './compiled-table';

/** A route taking every method below /old, calling nothing, with small limits; `part` on top. */
export function testRoute(part: Partial<Route>): Route {
  return {
    name: 'old',
    match: {
      methods: ['GET', 'POST'],
      path: { kind: 'prefix', path: '/old' },
      hosts: [],
      headers: [],
      query: [],
    },
    order: 0,
    upstream: null,
    grpc: null,
    auth: { scheme: 'none', scopes: [] },
    rateLimit: null,
    timeoutMs: 1000,
    retry: { idempotent: false, maxAttempts: 1, perTryTimeoutMs: 1000 },
    bodyLimitBytes: 1024,
    bodySchema: null,
    ...part,
  };
}

/** An http upstream to one local test server, with the test defaults' traffic policy. */
export function testUpstream(name: string, port: number): HttpUpstreamModel {
  return {
    kind: 'http',
    name,
    urls: [`http://127.0.0.1:${port}`],
    rewrite: null,
    headers: { add: {}, remove: [] },
    traffic: TEST_DEFAULTS.traffic.http,
  };
}

/** One plain-text request to a compiled table's routes, in-process (Fastify's inject); 404 when none takes it. */
export async function answerFromTable(
  compiled: CompiledTable,
  request: InjectOptions,
): Promise<LightMyRequestResponse> {
  const app = Fastify();
  app.all('/*', async (req, reply) => {
    const found = compiled.matchers.http.find(req.method, req.url.split('?')[0], req.headers.host);
    if (!('target' in found)) return reply.status(404).send();
    return found.target.handle(req, reply, found.params);
  });
  try {
    return await app.inject(request);
  } finally {
    await app.close();
  }
}
