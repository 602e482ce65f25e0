import { Injectable } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
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
}

/**
 * Records every response of the app's public listener, 404s and errors included. A Fastify
 * onResponse hook sees requests that never reach a Nest handler, which an interceptor would miss;
 * it runs in the request's trace context, so the exemplar is the request's server span.
 */
export function recordHttpServerMetrics(app: NestFastifyApplication): void {
  const histogram = app.get(HttpServerMetrics).duration;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      histogram.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? UNMATCHED_ROUTE,
          status_code: reply.statusCode,
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
}
