import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { PinoLogger } from 'nestjs-pino';
import { grpcStatusName, grpcStatusOf } from '@app/contracts';
import { Observable, tap } from 'rxjs';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/**
 * The gRPC counterpart of pino-http: runs each call in a logging context bound to the caller's
 * `x-request-id` metadata (or a new id) and logs one access line per call. Nest 11 has no
 * microservice pre-request hooks, so nestjs-pino cannot do this by itself.
 */
@Injectable()
export class GrpcRequestContextInterceptor implements NestInterceptor {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('grpc');
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const metadata = context.switchToRpc().getContext<Metadata>();
    const requestId = requestIdFrom(metadata.get(REQUEST_ID_HEADER)[0] as string | undefined);
    const method = `${context.getClass().name}.${context.getHandler().name}`;
    const started = performance.now();
    const done = (code: string, err?: unknown) =>
      this.logger[err ? 'warn' : 'info'](
        { rpc: { method, code }, duration_ms: Math.round(performance.now() - started), err },
        'rpc completed',
      );
    return new Observable((subscriber) =>
      this.logger.runInContext(
        () =>
          next
            .handle()
            .pipe(
              tap({
                next: () => done('OK'),
                error: (err: unknown) => done(grpcStatusName(grpcStatusOf(err)), err),
              }),
            )
            .subscribe(subscriber),
        { bindings: { request_id: requestId } },
      ),
    );
  }
}
