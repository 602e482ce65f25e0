import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { asyncStdout, type LoggingOptions, pinoOptions } from './logger-options';

/**
 * JSON logging through nestjs-pino. Every line carries `service`; every line logged while handling
 * a request carries its `request_id` (HTTP: logRequests, gRPC: GrpcRequestContextInterceptor).
 */
const asLogged = <T>(value: T): T => value;
const AS_LOGGED = { req: asLogged, res: asLogged };

@Module({})
export class LoggingModule {
  /**
   * One root logger per process (nestjs-pino), shared by the public and admin apps. No middleware:
   * a public listener logs its requests from Fastify hooks (logRequests, called by
   * configureHttpApp); the admin listener (probes, scrapes) logs none.
   */
  static forRoot(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // nestjs-pino builds its root logger with pino-http, whose req / res serializers would
          // rewrite the access line's allowlisted `req` and `res` fields: kept as logged.
          pinoHttp: [
            { ...pinoOptions(options), serializers: AS_LOGGED, wrapSerializers: false },
            options.destination ?? asyncStdout(),
          ],
          forRoutes: [],
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
