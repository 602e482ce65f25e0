import { grpcStatusName, grpcStatusOf } from '@app/contracts';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { type Observable, tap } from 'rxjs';
import { type LatencyHistogram, makeLatencyHistogramProvider } from './latency-histogram';

type GrpcLabels = 'grpc_service' | 'grpc_method' | 'grpc_code';

export const grpcServerMetricProviders = [
  makeCounterProvider({
    name: 'grpc_server_handled_total',
    help: 'gRPC calls completed by the server, by service, method and status code.',
    labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
  }),
  makeLatencyHistogramProvider({
    name: 'grpc_server_handling_seconds',
    help: 'Duration of gRPC calls handled by the server, by service, method and status code.',
    labelNames: ['grpc_service', 'grpc_method', 'grpc_code'],
  }),
];

/** RED metrics for gRPC handlers, named as in go-grpc-prometheus so existing dashboards fit. */
@Injectable()
export class GrpcServerMetricsInterceptor implements NestInterceptor {
  constructor(
    @InjectMetric('grpc_server_handled_total') private readonly handled: Counter<GrpcLabels>,
    @InjectMetric('grpc_server_handling_seconds')
    private readonly duration: LatencyHistogram<GrpcLabels>,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const [pattern] = (Reflect.getMetadata(PATTERN_METADATA, context.getHandler()) ?? []) as Array<{
      service?: string;
      rpc?: string;
    }>;
    const service = pattern?.service ?? 'unknown';
    const method = pattern?.rpc ?? context.getHandler().name;
    const started = performance.now();
    const record = (err?: unknown) => {
      const labels = {
        grpc_service: service,
        grpc_method: method,
        grpc_code: grpcStatusName(grpcStatusOf(err)),
      };
      this.handled.inc(labels);
      this.duration.observe(labels, (performance.now() - started) / 1000);
    };
    return next.handle().pipe(tap({ next: () => record(), error: (err: unknown) => record(err) }));
  }
}
