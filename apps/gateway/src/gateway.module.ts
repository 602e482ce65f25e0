import { AuthModule } from '@app/auth';
import { ConfigModule, type GatewayConfig } from '@app/config';
import { EdgeModule } from '@app/edge';
import { HealthModule } from '@app/health';
import { LoggingModule } from '@app/logging';
import { MetricsModule } from '@app/metrics';
import { RateLimitModule } from '@app/ratelimit';
import { DynamicModule, Module } from '@nestjs/common';
import { ProjectsModule } from './projects/projects.module';
import { VerifyModule } from './verify/verify.module';

/** The gateway: the public edge in front of webapp-1 (HTTP) and rpc-app-1 (gRPC). */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot({ service: 'gateway', level: config.LOG_LEVEL }),
        HealthModule.forRoot(),
        MetricsModule.forHttp(),
        // Edge security before the limiter: the limiter keys on the authenticated identity.
        EdgeModule.forRoot(config),
        AuthModule.forRoot(config),
        RateLimitModule.forRoot(config),
        ProjectsModule,
        VerifyModule,
      ],
    };
  }
}
