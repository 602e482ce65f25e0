// The OpenTelemetry SDK and its instrumentations. Only start-tracing.ts loads this module, and only
// when tracing is configured: with tracing off none of this code is even loaded.
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TraceExemplar, TracingRuntime } from './tracing-runtime';
import { isUntracedPort } from './untraced-ports';

/**
 * The methods of the standard gRPC health service (grpc.health.v1.Health): probes, not traffic. The
 * instrumentation matches method names without their service, so no other service may name a traced
 * method Check or Watch.
 */
const GRPC_HEALTH_METHODS = ['Check', 'Watch'];

/**
 * Starts the NodeSDK: W3C trace context + baggage propagation (the SDK default, or OTEL_PROPAGATORS),
 * exporter, protocol, sampler and resource from the standard OTEL_* variables, and the instrumentations
 * of everything a request crosses. Must run before the instrumented modules are loaded.
 */
export function startSdk(serviceName: string): TracingRuntime {
  const sdk = new NodeSDK({
    // The app name is only the default: the SDK's env detector (OTEL_SERVICE_NAME,
    // OTEL_RESOURCE_ATTRIBUTES) is merged on top of this resource.
    resource: defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName })),
    // Traces only. Metrics are scraped from /metrics and logs go to stdout; without these the SDK
    // would also push both over OTLP (its default when OTEL_METRICS/LOGS_EXPORTER are unset).
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        // The admin listener (probes, scrapes) is not traffic: no span, and tracing is suppressed
        // for the whole request, so no Nest span starts either.
        ignoreIncomingRequestHook: (request) => isUntracedPort(request.socket.localPort),
        // Background calls (e.g. active health checks) would each start a trace of their own.
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new GrpcInstrumentation({ ignoreGrpcMethods: GRPC_HEALTH_METHODS }),
      new NestInstrumentation(),
      // Log correlation only (trace_id, span_id, trace_flags on every line logged inside a span);
      // the lines themselves stay on stdout.
      new PinoInstrumentation({ disableLogSending: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return {
    shutdown: () => sdk.shutdown(),
    setHttpRoute,
    exemplar,
  };
}

function setHttpRoute(route: string): void {
  // The HTTP instrumentation reads the route from this context slot when the response ends.
  const rpc = getRPCMetadata(context.active());
  if (rpc?.type === RPCType.HTTP) rpc.route = route;
}

function exemplar(): TraceExemplar | undefined {
  const span = trace.getActiveSpan()?.spanContext();
  if (!span || (span.traceFlags & TraceFlags.SAMPLED) === 0) return undefined;
  return { trace_id: span.traceId, span_id: span.spanId };
}
