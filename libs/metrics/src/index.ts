export { LATENCY_BUCKETS } from './buckets';
export { MetricsExpositionModule, MetricsModule } from './metrics.module';
export {
  HTTP_SERVER_DURATION,
  recordHttpServerMetrics,
  UNMATCHED_ROUTE,
} from './http-server-metrics';
export { GrpcServerMetricsInterceptor } from './grpc-server-metrics.interceptor';
export {
  LatencyHistogram,
  type LatencyHistogramConfig,
  makeLatencyHistogramProvider,
} from './latency-histogram';
