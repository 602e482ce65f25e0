import { HealthEndpointsModule, HealthModule, type HealthState } from '@app/health';
import { LoggingModule, type LoggingOptions } from '@app/logging';
import { MetricsExpositionModule } from '@app/metrics';
import { DynamicModule, Module } from '@nestjs/common';

export interface AdminOptions {
  /** The app name: the `app` label of every metric and the `service` field of log lines. */
  app: string;
  logging: LoggingOptions;
  /** The HealthState of the process's main app; omit when the admin module is the main app. */
  health?: HealthState;
}

/**
 * The admin surface of an app: readiness, liveness and /metrics. It is always served on its own
 * listener (ADMIN_PORT), never on a public port.
 */
@Module({})
export class AdminModule {
  static forRoot(options: AdminOptions): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        LoggingModule.forRoot(options.logging),
        options.health ? HealthModule.share(options.health) : HealthModule.forRoot(),
        HealthEndpointsModule,
        MetricsExpositionModule.forRoot(options.app),
      ],
    };
  }
}
