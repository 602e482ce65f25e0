import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { asyncStdout, type LoggingOptions, pinoHttpOptions } from './logger-options';

/**
 * JSON logging through nestjs-pino. Every line carries `service`; every line logged while handling
 * a request carries its `request_id` (HTTP via pino-http, gRPC via GrpcRequestContextInterceptor).
 */
@Module({})
export class LoggingModule {
  /**
   * `quietPaths`: routes that get neither an access line nor a request context (probes, scrapes).
   * pino-http is one instance per process (nestjs-pino), shared by the public and admin apps.
   */
  static forRoot(options: LoggingOptions & { quietPaths?: string[] }): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [pinoHttpOptions(options), options.destination ?? asyncStdout()],
          exclude: options.quietPaths?.map((path) => ({ path, method: RequestMethod.ALL })),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
