import { Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { type LatencyHistogram, makeLatencyHistogramProvider } from './latency-histogram';

export const HTTP_SERVER_DURATION = 'http_server_request_duration_seconds';

/** Requests that matched no route share one label value, so a scanner cannot explode the series. */
export const UNMATCHED_ROUTE = 'unmatched';

export const httpServerDurationProvider = makeLatencyHistogramProvider({
  name: HTTP_SERVER_DURATION,
  help: 'Duration of HTTP requests served, by route template, method and status code.',
  labelNames: ['method', 'route', 'status_code'],
});

@Injectable()
export class HttpServerMetrics {
  constructor(
    @InjectMetric(HTTP_SERVER_DURATION)
    readonly duration: LatencyHistogram<'method' | 'route' | 'status_code'>,
  ) {}

  /**
   * A route's series at 0 from the start: a pod that has served nothing yet reports a rate of 0
   * instead of no series, which an HPA on the request rate reads as "no metric" and then never
   * scales that Deployment down (seen on the real cluster: test/cluster/hpa-request-rate.cluster-spec.ts).
   */
  zeroRoute(method: string, route: string): void {
    if (method !== 'HEAD' && method !== 'OPTIONS')
      this.duration.zero({ method, route, status_code: 200 });
  }
}

/**
 * Records every response of the app's public listener, 404s and errors included. A Fastify
 * onResponse hook sees requests that never reach a Nest handler, which an interceptor would miss;
 * it runs in the request's trace context, so the exemplar is the request's server span.
 */
export function recordHttpServerMetrics(
  app: NestFastifyApplication,
  /** The request's route template; the gateway's table routes are not Fastify routes. */
  routeOf: (request: FastifyRequest) => string | undefined = (request) => request.routeOptions.url,
): void {
  const metrics = app.get(HttpServerMetrics);
  const histogram = metrics.duration;
  const fastify = app.getHttpAdapter().getInstance();
  // Every route's series exists from the start (zeroRoute); a catch-all's `*` names no route.
  fastify.addHook('onRoute', (route) => {
    if (route.url.endsWith('*')) return;
    for (const method of [route.method].flat()) metrics.zeroRoute(method, route.url);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    histogram.observe(
      {
        method: request.method,
        route: routeOf(request) ?? UNMATCHED_ROUTE,
        status_code: reply.statusCode,
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
