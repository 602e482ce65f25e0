import { HttpException } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import type { BreakerPolicy } from './traffic-policy';
import { UpstreamException } from './upstream.exception';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** The answer while a breaker is open: 503 naming the upstream, with Retry-After, no upstream call. */
export class CircuitOpenException extends UpstreamException {
  constructor(upstream: string, retryAfterSeconds: number) {
    super(upstream, 'unavailable', 'circuit breaker open', {
      'retry-after': String(retryAfterSeconds),
    });
  }
}

/**
 * Errors that are the client's fault (a 4xx answer: the upstream judged the request) say nothing
 * about the upstream's health, so they do not count towards opening the breaker.
 */
function isClientFault(err: unknown): boolean {
  return err instanceof HttpException && err.getStatus() < 500;
}

/** A call that reached no replica at all (refused, reset, none resolved, UNAVAILABLE). */
function isUnreachable(err: unknown): boolean {
  return err instanceof UpstreamException && err.failure === 'unavailable';
}

/**
 * The circuit breaker of one upstream (opossum). Two rules open it:
 * - partial failure: more than `errorThresholdPercent` of the calls in the rolling window failed
 *   and the window holds at least `volumeThreshold` calls;
 * - total outage: `consecutiveUnavailable` calls in a row reached no replica (every replica is
 *   down or ejected) - at once, however many successes the window still holds from before.
 * While open every call fails at once with CircuitOpenException; after `resetTimeoutMs` one trial
 * call goes through (half-open) and its outcome closes or re-opens the breaker.
 */
export class UpstreamCircuitBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  private openedAt = 0;
  private unavailableInARow = 0;

  constructor(
    private readonly upstream: string,
    private readonly policy: BreakerPolicy,
    onTransition: (state: BreakerState) => void = () => {},
  ) {
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      // Upstream calls carry their own timeouts and deadlines.
      timeout: false,
      errorThresholdPercentage: policy.errorThresholdPercent,
      volumeThreshold: policy.volumeThreshold,
      rollingCountTimeout: policy.windowMs,
      rollingCountBuckets: 10,
      resetTimeout: policy.resetTimeoutMs,
      errorFilter: isClientFault,
      // No per-call latency arrays or snapshot events: we export our own metrics.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
    });
    this.breaker.on('open', () => {
      this.openedAt = Date.now();
      onTransition('open');
    });
    this.breaker.on('halfOpen', () => onTransition('half_open'));
    this.breaker.on('close', () => onTransition('closed'));
  }

  get state(): BreakerState {
    if (this.breaker.halfOpen) return 'half_open';
    return this.breaker.opened ? 'open' : 'closed';
  }

  /** Runs the call through the breaker; rejects with CircuitOpenException while open. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = (await this.breaker.fire(call)) as T;
    } catch (err) {
      if ((err as { code?: string }).code === 'EOPENBREAKER')
        throw new CircuitOpenException(this.upstream, this.retryAfterSeconds());
      this.countUnreachable(err);
      throw err;
    }
    this.unavailableInARow = 0;
    return result;
  }

  shutdown(): void {
    this.breaker.shutdown();
  }

  private countUnreachable(err: unknown): void {
    if (!isUnreachable(err)) {
      this.unavailableInARow = 0;
      return;
    }
    this.unavailableInARow++;
    if (this.unavailableInARow >= this.policy.consecutiveUnavailable && this.state === 'closed') {
      this.unavailableInARow = 0;
      this.breaker.open();
    }
  }

  /** Whole seconds until the next trial call may go through (1 while a trial is in flight). */
  private retryAfterSeconds(): number {
    const remainingMs = this.openedAt + this.policy.resetTimeoutMs - Date.now();
    return Math.max(1, Math.ceil(remainingMs / 1000));
  }
}
