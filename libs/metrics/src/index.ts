export { MetricsExpositionModule, MetricsModule } from './metrics.module';
export { HttpServerMetrics, recordHttpServerMetrics, UNMATCHED_ROUTE } from './http-server-metrics';
export { GrpcServerMetricsInterceptor } from './grpc-server-metrics.interceptor';
export { LatencyHistogram, makeLatencyHistogramProvider } from './latency-histogram';
