import { RetryBudget } from './retry-budget';
import type { RetryPolicy } from './traffic-policy';

/**
 * Thrown by an attempt whose failure may be retried (nothing was processed, or the call is
 * idempotent); `error` is what the caller gets when no retry is allowed.
 */
export class RetryableFailure {
  constructor(readonly error: unknown) {}
}

/**
 * The one retry mechanism of every upstream, HTTP and gRPC alike: at most `maxAttempts` attempts
 * per call (the first included), only after a RetryableFailure, only before the call's deadline,
 * and only while the upstream's retry budget (shared by all its calls) allows it.
 */
export class Retries {
  private readonly budget: RetryBudget;

  constructor(
    private readonly policy: RetryPolicy,
    /** Called before every retry (metrics). */
    private readonly onRetry: () => void = () => {},
  ) {
    this.budget = new RetryBudget(policy);
  }

  /**
   * Runs `attempt` (given the attempt number, from 1, and its own deadline) until it resolves or
   * throws something that may not be retried (at most `maxAttempts`: a route may set fewer or more
   * than the upstream's policy). An idempotent call's attempts each get a per-try deadline
   * (`perTryTimeoutMs`, else the policy's) within the call's, so a replica that hangs costs a retry
   * rather than the whole call; that only makes room for a retry, so the last attempt (no retry
   * could follow its failure) and every attempt of other calls get what is left of the call's.
   * An attempt that resolves earns the budget a share of a token; a RetryableFailure costs a token.
   */
  async run<T>(
    call: { deadline: number; idempotent: boolean; perTryTimeoutMs?: number; maxAttempts?: number },
    attempt: (attempt: number, attemptDeadline: number) => Promise<T>,
  ): Promise<T> {
    const { deadline } = call;
    const maxAttempts = call.maxAttempts ?? this.policy.maxAttempts;
    const perTryMs = call.idempotent
      ? (call.perTryTimeoutMs ?? this.policy.perTryTimeoutMs)
      : Infinity;
    for (let number = 1; ; number++) {
      try {
        const last = number >= maxAttempts || !this.budget.canRetry;
        const attemptDeadline = last ? deadline : Math.min(deadline, Date.now() + perTryMs);
        const result = await attempt(number, attemptDeadline);
        this.budget.recordSuccess();
        return result;
      } catch (thrown) {
        if (!(thrown instanceof RetryableFailure)) throw thrown;
        this.budget.recordFailure();
        const mayRetry = number < maxAttempts && Date.now() < deadline && this.budget.canRetry;
        if (!mayRetry) throw thrown.error;
        this.onRetry();
      }
    }
  }
}
