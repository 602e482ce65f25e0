import type { RetryPolicy } from './traffic-policy';

/**
 * The retry budget of one upstream, shared by all its calls (used by Retries, for HTTP and gRPC
 * upstreams alike): gRPC's retry throttling (gRFC A6). Every failed attempt that could be retried
 * costs a token, every success earns `tokenRatio` of one, and retries are allowed only while more
 * than half the bucket is left. When everything fails, retries stop once `maxTokens / 2` attempts
 * have failed; in steady state retries add at most `tokenRatio` x the successful calls - so
 * retries cannot multiply load during an outage.
 */
export class RetryBudget {
  private tokens: number;

  constructor(private readonly policy: Pick<RetryPolicy, 'maxTokens' | 'tokenRatio'>) {
    this.tokens = policy.maxTokens;
  }

  recordSuccess(): void {
    this.tokens = Math.min(this.policy.maxTokens, this.tokens + this.policy.tokenRatio);
  }

  recordFailure(): void {
    this.tokens = Math.max(0, this.tokens - 1);
  }

  get canRetry(): boolean {
    return this.tokens > this.policy.maxTokens / 2;
  }
}
