import { DynamicModule, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { metricsController } from './metrics.controller';
import {
  GRPC_PACKAGE,
  grpcServerMetricProviders,
  GrpcServerMetricsInterceptor,
} from './grpc-server-metrics.interceptor';
import { httpServerDurationProvider, HttpServerMetrics } from './http-server-metrics';
import { eventLoopActiveProvider } from './runtime-metrics';

/**
 * Metrics recorders for an app's own module. The metrics live in prom-client's default registry,
 * which MetricsExpositionModule serves on the admin listener.
 */
@Module({})
export class MetricsModule {
  static forHttp(): DynamicModule {
    return {
      module: MetricsModule,
      providers: [httpServerDurationProvider, HttpServerMetrics],
      exports: [HttpServerMetrics],
    };
  }

  /** `protoPackage`: the package of the served services, for fully qualified service labels. */
  static forGrpc(protoPackage: string): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        ...grpcServerMetricProviders,
        { provide: GRPC_PACKAGE, useValue: protoPackage },
        GrpcServerMetricsInterceptor,
      ],
      exports: [GrpcServerMetricsInterceptor],
    };
  }
}

/**
 * `GET /metrics` (Prometheus text, or OpenMetrics with exemplars when negotiated) plus process and
 * runtime metrics labelled with the app.
 */
@Module({})
export class MetricsExpositionModule {
  static forRoot(app: string): DynamicModule {
    return {
      module: MetricsExpositionModule,
      imports: [
        PrometheusModule.register({
          controller: metricsController(app),
          path: '/metrics',
          defaultMetrics: { enabled: true },
          defaultLabels: { app },
        }),
      ],
      providers: [eventLoopActiveProvider],
    };
  }
}
