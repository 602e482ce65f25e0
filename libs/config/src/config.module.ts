import { DynamicModule, Module } from '@nestjs/common';

/** Injection token of the validated, typed configuration object of the running app. */
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
