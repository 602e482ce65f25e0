import { AuthModule } from '@app/auth';
import type { GatewayConfig } from '@app/config';
import { EdgeModule } from '@app/edge';
import { RateLimitModule } from '@app/ratelimit';
import { DynamicModule, Module } from '@nestjs/common';
import { ProjectsModule } from './projects/projects.module';
import { VerifyModule } from './verify/verify.module';

/**
 * The gateway: the public edge in front of webapp-1 (HTTP) and rpc-app-1 (gRPC). Its features
 * only; bootstrapHttpService composes the service around them (libs/bootstrap/src/service.module.ts).
 */
@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
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
