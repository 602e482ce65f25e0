import { SkipThrottle } from '@nestjs/throttler';
import type { RateLimitMetrics } from './rate-limit.metrics';
import { RoutePlans } from './route-plans';
import { RoutePolicies } from './route-policies';

class Plain {
  handle(): void {}
}

class Decorated {
  @SkipThrottle()
  handle(): void {}
}

describe('RoutePlans', () => {
  const policies = new RoutePolicies({ limit: 100, windowMs: 60_000 });
  policies.replace(new Map([['verify', { name: '/verify', limit: 5, windowMs: 1500 }]]));
  const counter = () => ({ inc: () => undefined });
  const metrics = {
    decisionsOf: () => ({ allowed: counter(), limited: counter() }),
  } as unknown as RateLimitMetrics;
  const plans = () => new RoutePlans(policies, metrics, (name) => `ratelimit:budget:${name}:`);

  it('works out the headers and key prefix of a route once', () => {
    const routePlans = plans();
    const plan = routePlans.of('verify', '/verify', Plain.prototype.handle, Plain);
    expect(plan).toMatchObject({
      keyPrefix: 'ratelimit:budget:/verify:',
      policyHeader: '"/verify";q=5;w=2',
      rateHeaderPrefix: '"/verify";r=',
      throttlerDecorated: false,
    });
    expect(routePlans.of('verify', '/verify', Plain.prototype.handle, Plain)).toBe(plan);
    expect(routePlans.of('other', '/other', Plain.prototype.handle, Plain).policyHeader).toBe(
      '"default";q=100;w=60',
    );
  });

  it("sends handlers with @nestjs/throttler's decorators down the package's own path", () => {
    expect(plans().of('x', '/x', Decorated.prototype.handle, Decorated).throttlerDecorated).toBe(
      true,
    );
  });

  it('makes a plan for one request when another handler serves the same route', () => {
    const routePlans = plans();
    const first = routePlans.of('x', '/x', Plain.prototype.handle, Plain);
    const other = routePlans.of('x', '/x', Decorated.prototype.handle, Decorated);
    expect(other.throttlerDecorated).toBe(true);
    expect(routePlans.of('x', '/x', Plain.prototype.handle, Plain)).toBe(first);
  });

  it('works plans out again once the policies were replaced (a new route table)', () => {
    const routePlans = plans();
    const first = routePlans.of('verify', '/verify', Plain.prototype.handle, Plain);
    policies.replace(new Map([['verify', { name: '/verify', limit: 7, windowMs: 1500 }]]));
    const next = routePlans.of('verify', '/verify', Plain.prototype.handle, Plain);
    expect(next).not.toBe(first);
    expect(next.policyHeader).toBe('"/verify";q=7;w=2');
  });
});
