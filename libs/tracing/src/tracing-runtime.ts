/** What the rest of the stack uses of a running OpenTelemetry SDK. */
export interface TracingRuntime {
  /** Ends every span still buffered: exports them, then stops the SDK. */
  shutdown(): Promise<void>;
  /** Names the active HTTP server span after its route template (`POST /projects`, `http.route`). */
  setHttpRoute(route: string): void;
  /** The active span as exemplar labels, when it is sampled (only those reach the trace backend). */
  exemplar(): TraceExemplar | undefined;
}

/** Exemplar labels that link a metric sample to its trace (names as Grafana expects them). */
export type TraceExemplar = { trace_id: string; span_id: string };
