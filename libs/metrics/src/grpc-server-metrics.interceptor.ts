import { grpcStatusName, grpcStatusOf } from '@app/contracts';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { InjectMetric, makeCounterProvider } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { type Observable, tap } from 'rxjs';
import { type LatencyHistogram, makeLatencyHistogramProvider } from './latency-histogram';

type GrpcLabels = 'grpc_type' | 'grpc_service' | 'grpc_method' | 'grpc_code';
const LABELS: GrpcLabels[] = ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'];

/** Injection token of the proto package the served services belong to (e.g. "userverify"). */
export const GRPC_PACKAGE = Symbol('GRPC_PACKAGE');

export const grpcServerMetricProviders = [
  makeCounterProvider({
    name: 'grpc_server_handled_total',
    help: 'gRPC calls completed by the server, by type, service, method and status code.',
    labelNames: LABELS,
  }),
  makeLatencyHistogramProvider({
    name: 'grpc_server_handling_seconds',
    help: 'Duration of gRPC calls handled by the server, by type, service, method and status code.',
    labelNames: LABELS,
  }),
];

/**
 * RED metrics for gRPC handlers, named and labelled as in go-grpc-prometheus (`grpc_service` is
 * the fully qualified `package.Service`, `grpc_type` the call type) so existing dashboards fit.
 */
@Injectable()
export class GrpcServerMetricsInterceptor implements NestInterceptor {
  constructor(
    @Inject(GRPC_PACKAGE) private readonly protoPackage: string,
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
    const service = `${this.protoPackage}.${pattern?.service ?? 'unknown'}`;
    const method = pattern?.rpc ?? context.getHandler().name;
    const started = performance.now();
    const record = (err?: unknown) => {
      const labels = {
        // Nest's @GrpcMethod handlers are unary (streams use @GrpcStreamMethod, none here).
        grpc_type: 'unary',
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
