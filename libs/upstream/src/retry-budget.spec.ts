import { RetryBudget } from './retry-budget';

describe('RetryBudget (gRFC A6 retry throttling)', () => {
  it('allows maxTokens / 2 retries when every attempt fails, then none', () => {
    const budget = new RetryBudget({ maxTokens: 20, tokenRatio: 0.2 });
    let retries = 0;
    for (let call = 0; call < 1000; call++) {
      budget.recordFailure();
      if (budget.canRetry) {
        retries++;
        budget.recordFailure(); // the retry fails too
      }
    }
    expect(retries).toBeLessThanOrEqual(10);
    expect(budget.canRetry).toBe(false);
  });

  it('bounds retries to about tokenRatio x successes in steady state', () => {
    const budget = new RetryBudget({ maxTokens: 20, tokenRatio: 0.2 });
    let calls = 0;
    let retries = 0;
    // Half the first attempts fail; every retry succeeds.
    for (let i = 0; i < 10_000; i++) {
      calls++;
      if (i % 2 === 0) {
        budget.recordSuccess();
        continue;
      }
      budget.recordFailure();
      if (budget.canRetry) {
        retries++;
        budget.recordSuccess();
      }
    }
    expect(retries / calls).toBeLessThanOrEqual(0.2 * 1.01 + 20 / calls);
    expect(retries).toBeGreaterThan(0);
  });

  it('earns retries back with successes', () => {
    const budget = new RetryBudget({ maxTokens: 10, tokenRatio: 0.5 });
    for (let i = 0; i < 10; i++) budget.recordFailure();
    expect(budget.canRetry).toBe(false);
    for (let i = 0; i < 11; i++) budget.recordSuccess();
    expect(budget.canRetry).toBe(true);
  });
});
