import { RetryBudget } from './retry-budget';

describe('RetryBudget (gRFC A6 retry throttling)', () => {
  it('when every attempt fails, allows retries until maxTokens / 2 attempts have failed, then none', () => {
    const budget = new RetryBudget({ maxTokens: 20, tokenRatio: 0.2 });
    let failures = 0;
    while (failures < 1000) {
      budget.recordFailure();
      failures++;
      if (!budget.canRetry) break;
    }
    expect(failures).toBe(20 / 2);
    for (let i = 0; i < 100; i++) budget.recordFailure();
    expect(budget.canRetry).toBe(false);
  });

  it('in steady state, retries add at most tokenRatio x the successful calls', () => {
    const run = (failEvery: number) => {
      const budget = new RetryBudget({ maxTokens: 20, tokenRatio: 0.2 });
      let successes = 0;
      let retries = 0;
      // Every failEvery-th first attempt fails; a retry is made whenever allowed, and succeeds.
      for (let i = 0; i < 10_000; i++) {
        if (i % failEvery !== 0) {
          budget.recordSuccess();
          successes++;
          continue;
        }
        budget.recordFailure();
        if (budget.canRetry) {
          retries++;
          budget.recordSuccess();
          successes++;
        }
      }
      return { successes, retries };
    };
    // 1 in 10 fails, less than the ratio: every failure is retried.
    expect(run(10).retries).toBe(10_000 / 10);
    // 1 in 2 fails: retries are capped by what the successes earned (plus the half bucket).
    const { successes, retries } = run(2);
    expect(retries).toBeLessThanOrEqual(0.2 * successes + 20 / 2);
  });

  it('earns retries back with successes', () => {
    const budget = new RetryBudget({ maxTokens: 10, tokenRatio: 0.5 });
    for (let i = 0; i < 10; i++) budget.recordFailure();
    expect(budget.canRetry).toBe(false);
    // From 0 tokens, 10 successes earn 5: exactly half, not more than half.
    for (let i = 0; i < 10; i++) budget.recordSuccess();
    expect(budget.canRetry).toBe(false);
    budget.recordSuccess();
    expect(budget.canRetry).toBe(true);
  });
});
