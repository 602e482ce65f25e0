import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { HealthState } from './health-state';

/** Makes the process's one HealthState injectable everywhere in an app. */
@Module({})
export class HealthModule {
  /** Creates the HealthState: import once, in the root module of the process's main app. */
  static forRoot(): DynamicModule {
    return { module: HealthModule, global: true, providers: [HealthState], exports: [HealthState] };
  }

  /** Shares an existing HealthState, e.g. with the separate admin app of the same process. */
  static share(state: HealthState): DynamicModule {
    return {
      module: HealthModule,
      global: true,
      providers: [{ provide: HealthState, useValue: state }],
      exports: [HealthState],
    };
  }
}

/** The readiness and liveness endpoints; mount them on an admin listener only. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' })],
  controllers: [HealthController],
})
export class HealthEndpointsModule {}
