import { Stack, type StackOptions } from '../../process-topology/index.ts';

/**
 * The stack every end-to-end test runs. One client driving load from this machine can exceed the
 * gateway's default rate limit (1000 requests/s per client) on a fast machine and not on a slow
 * one: tests that are not about rate limiting must not depend on that, so the limit is out of
 * their way here. Tests about rate limiting set their own RATE_LIMIT_* values, which win.
 */
export function testStack(options: StackOptions = {}): Stack {
  return new Stack({
    ...options,
    env: {
      ...options.env,
      gateway: { RATE_LIMIT_LIMIT: '1000000', ...options.env?.gateway },
    },
  });
}
