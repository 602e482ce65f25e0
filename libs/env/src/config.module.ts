import { DynamicModule, Module } from '@nestjs/common';

/**
 * Injection token of the validated, typed configuration object of the running app. A library
 * injects it typed as its own part of the schema (e.g. `UpstreamEnv`): a structural subset of
 * every app config that includes that part, so no library needs the assembled app types.
 */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Makes the already-validated configuration injectable everywhere with @Inject(APP_CONFIG). */
@Module({})
export class ConfigModule {
  static forRoot<T extends object>(config: T): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
