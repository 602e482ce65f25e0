import { type OtelEnv, tracingRequested } from './tracing-config';
import type { TraceExemplar, TracingRuntime } from './tracing-runtime';

let runtime: TracingRuntime | undefined;

/**
 * Starts OpenTelemetry tracing when an exporter is configured (see tracingRequested), with the app
 * name as the default `service.name`. Call it before anything else is loaded: the first import of an
 * app's main.ts. Idempotent.
 */
export function startTracing(serviceName: string, env: OtelEnv = process.env): void {
  if (runtime || !tracingRequested(env)) return;
  // Loaded on demand: with tracing off, neither the SDK nor any instrumentation is in the process.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./start-sdk') as typeof import('./start-sdk');
  runtime = startSdk(serviceName);
}

export function tracingEnabled(): boolean {
  return runtime !== undefined;
}

/** Exports what is still buffered and stops the SDK: the last step of the shutdown sequence. */
export async function shutdownTracing(): Promise<void> {
  await runtime?.shutdown();
}

/** Names the current HTTP server span after the route template; a no-op with tracing off. */
export function setHttpRoute(route: string): void {
  runtime?.setHttpRoute(route);
}

/** The active sampled span as exemplar labels; undefined with tracing off or outside a span. */
export function traceExemplar(): TraceExemplar | undefined {
  return runtime?.exemplar();
}
