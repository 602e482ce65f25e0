import { ConfigModule } from '@app/env';
import { HealthModule } from '@app/health';
import { GrpcRequestContextInterceptor, LoggingModule } from '@app/logging';
import { GrpcServerMetricsInterceptor, MetricsModule } from '@app/metrics';
import { DynamicModule, Module, type Type } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AdminModule } from './admin.module';
import type { ServiceEnv } from './service-env';

export interface ServiceDefinition {
  /** The app name: `service` in logs, `app` label on metrics. */
  name: string;
  /** The app's whole validated config (injectable as APP_CONFIG); this library reads its own part. */
  config: ServiceEnv;
  /** The app's own module: its features, nothing of the service around them. */
  features: Type<unknown> | DynamicModule;
}

/**
 * What every service of the stack is made of around its features: the validated configuration,
 * logging, the process's health state and the metrics recorders - so that an app module holds only
 * its own features (docs/architecture.md). The listeners are started by bootstrapHttpService /
 * bootstrapGrpcService, which build this module.
 */
@Module({})
export class ServiceModule {
  /** An app whose public listener is HTTP (gateway, webapp-1); its admin listener is a second app. */
  static forHttp({ name, config, features }: ServiceDefinition): DynamicModule {
    return {
      module: ServiceModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({ service: name, level: config.LOG_LEVEL }),
        HealthModule.forRoot(),
        MetricsModule.forHttp(),
        features,
      ],
    };
  }

  /**
   * A gRPC app (rpc-app-1): a Nest hybrid app whose HTTP side is the admin surface. Every handler
   * runs inside the request context (request id, trace ids on log lines) and the server metrics.
   */
  static forGrpc({
    name,
    config,
    features,
    protoPackage,
  }: ServiceDefinition & { protoPackage: string }): DynamicModule {
    return {
      module: ServiceModule,
      imports: [
        ConfigModule.forRoot(config),
        AdminModule.forRoot({ app: name, logging: { service: name, level: config.LOG_LEVEL } }),
        MetricsModule.forGrpc(protoPackage),
        features,
      ],
      providers: [
        // Order matters: the logging context wraps the metrics, so both see the same outcome.
        { provide: APP_INTERCEPTOR, useClass: GrpcRequestContextInterceptor },
        { provide: APP_INTERCEPTOR, useExisting: GrpcServerMetricsInterceptor },
      ],
    };
  }
}
