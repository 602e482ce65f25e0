import { AdminModule } from '@app/admin';
import { ConfigModule, type RpcAppConfig } from '@app/config';
import { USERVERIFY } from '@app/contracts';
import { GrpcRequestContextInterceptor } from '@app/logging';
import { GrpcServerMetricsInterceptor, MetricsModule } from '@app/metrics';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { VerifyModule } from './verify/verify.module';

/**
 * rpc-app-1: the "verify" gRPC service, a Nest hybrid app whose HTTP side is the admin surface.
 */
@Module({})
export class RpcAppModule {
  static forRoot(config: RpcAppConfig): DynamicModule {
    return {
      module: RpcAppModule,
      imports: [
        ConfigModule.forRoot(config),
        AdminModule.forRoot({
          app: 'rpc-app-1',
          logging: { service: 'rpc-app-1', level: config.LOG_LEVEL },
        }),
        MetricsModule.forGrpc(USERVERIFY.package),
        VerifyModule,
      ],
      providers: [
        // Order matters: the logging context wraps the metrics, so both see the same outcome.
        { provide: APP_INTERCEPTOR, useClass: GrpcRequestContextInterceptor },
        { provide: APP_INTERCEPTOR, useExisting: GrpcServerMetricsInterceptor },
      ],
    };
  }
}
