import { AuthModule } from '@app/auth';
import { DataPlaneModule } from '@app/data-plane';
import type { GatewayConfig } from '@app/config';
import { EdgeModule } from '@app/edge';
import { RateLimitModule } from '@app/ratelimit';
import { DynamicModule, Module } from '@nestjs/common';

/**
 * The gateway: the public edge in front of the upstreams of its route table (by default webapp-1
 * over HTTP and rpc-app-1 over gRPC). Its features only; bootstrapHttpService composes the service around them (libs/bootstrap/src/service.module.ts).
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
        // Last: it serves the table through the policies the modules above provide.
        DataPlaneModule.forRoot(config),
      ],
    };
  }
}
