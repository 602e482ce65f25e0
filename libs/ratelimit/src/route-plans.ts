import type { RateLimitMetrics } from './rate-limit.metrics';
import type { RatePolicy, RoutePolicies } from './route-policies';

type Counter = { inc(): void };

/** Everything the guard needs for a route that does not depend on the request, worked out once. */
export interface RoutePlan {
  readonly handler: unknown;
  readonly policy: RatePolicy;
  /** Prefix of the store keys: the client identity follows. */
  readonly keyPrefix: string;
  /** The whole `RateLimit-Policy` header value, e.g. `"default";q=100;w=60`. */
  readonly policyHeader: string;
  /** The `RateLimit` header up to the remaining count, e.g. `"default";r=`. */
  readonly rateHeaderPrefix: string;
  readonly allowed: Counter;
  readonly limited: Counter;
  /** The handler or its class carries @nestjs/throttler decorators: the package's path decides. */
  readonly throttlerDecorated: boolean;
}

/** Route plans by route name, made on a route's first request (again after a new table). */
export class RoutePlans {
  private readonly byRoute = new Map<string, RoutePlan>();
  private generation = -1;

  constructor(
    private readonly policies: RoutePolicies,
    private readonly metrics: RateLimitMetrics,
    private readonly keyPrefixOf: (policyName: string) => string,
  ) {}

  /**
   * The plan of a route (its name, and its path template for metrics) served by `handler`; should
   * another handler serve it the plan is made for that request alone.
   */
  of(route: string, label: string, handler: object, controller: object): RoutePlan {
    if (this.generation !== this.policies.generation) {
      this.byRoute.clear();
      this.generation = this.policies.generation;
    }
    const known = this.byRoute.get(route);
    if (known !== undefined && known.handler === handler) return known;
    const plan = this.make(route, label, handler, usesThrottlerDecorators(handler, controller));
    if (known === undefined) this.byRoute.set(route, plan);
    return plan;
  }

  /** The same plan with the limit and window a throttler decorator set. */
  withLimit(plan: RoutePlan, limit: number, windowMs: number): RoutePlan {
    if (limit === plan.policy.limit && windowMs === plan.policy.windowMs) return plan;
    const policy = { ...plan.policy, limit, windowMs };
    return { ...plan, policy, policyHeader: policyHeader(policy) };
  }

  private make(
    route: string,
    label: string,
    handler: unknown,
    throttlerDecorated: boolean,
  ): RoutePlan {
    const policy = this.policies.of(route);
    const name = `"${policy.name}"`;
    return {
      handler,
      policy,
      keyPrefix: this.keyPrefixOf(policy.name),
      policyHeader: policyHeader(policy),
      rateHeaderPrefix: `${name};r=`,
      ...this.metrics.decisionsOf(label),
      throttlerDecorated,
    };
  }
}

function policyHeader(policy: RatePolicy): string {
  return `"${policy.name}";q=${policy.limit};w=${Math.ceil(policy.windowMs / 1000)}`;
}

/** @nestjs/throttler's metadata keys all start so (THROTTLER:SKIP, THROTTLER:LIMIT, ...). */
const THROTTLER_METADATA = 'THROTTLER:';

/** Whether a handler or its controller uses @SkipThrottle, @Throttle or another throttler decorator. */
function usesThrottlerDecorators(handler: object, controller: object): boolean {
  return [handler, controller].some((target) =>
    Reflect.getMetadataKeys(target).some(
      (key) => typeof key === 'string' && key.startsWith(THROTTLER_METADATA),
    ),
  );
}
