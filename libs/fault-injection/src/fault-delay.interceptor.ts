import { APP_CONFIG } from '@app/env';
import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { delay, type Observable } from 'rxjs';
import type { FaultEnv } from './fault-env';

/**
 * Adds FAULT_DELAY_MS of latency to every answer of the controllers it decorates (never health or
 * metrics; HTTP and gRPC alike): how the tests hold requests
 * in flight across a shutdown or past a timeout, and how an operator can rehearse a slow backend.
 * With the default 0 it does nothing at all.
 */
@Injectable()
export class FaultDelayInterceptor implements NestInterceptor {
  private readonly delayMs: number;

  constructor(@Inject(APP_CONFIG) config: FaultEnv) {
    this.delayMs = config.FAULT_DELAY_MS;
  }

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.delayMs === 0) return next.handle();
    return next.handle().pipe(delay(this.delayMs));
  }
}
