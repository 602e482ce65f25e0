/** The environment, as the OpenTelemetry SDK sees it. */
export type OtelEnv = Record<string, string | undefined>;

/**
 * Whether tracing runs: only when an exporter is configured - an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) or an explicit
 * `OTEL_TRACES_EXPORTER` other than `none` - and `OTEL_SDK_DISABLED` is not `true`.
 *
 * The spec's fallback (OTLP to localhost:4318 when nothing is set) is deliberately not assumed: a pod
 * without a collector would load the SDK, create spans and retry exports for nothing. Unset means off,
 * at zero cost. Everything else (sampler, protocol, headers, resource) the SDK reads itself.
 */
export function tracingRequested(env: OtelEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  // The SDK's own reading of the list: `none` first means no exporter.
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && name !== 'null');
  if (exporters.length > 0) return exporters[0] !== 'none';
  return isSet(env.OTEL_EXPORTER_OTLP_ENDPOINT) || isSet(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value.trim() !== '';
}
