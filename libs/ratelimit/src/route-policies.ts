/** One limit: `limit` requests per client per `windowMs`, counted in its own bucket. */
export interface RatePolicy {
  /** "default", or the route's path template for a route's own budget; names the policy in headers and store keys. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export const DEFAULT_POLICY = 'default';

/**
 * Which policy governs a route of the served table, by route name; replaced as a whole with every
 * new route table. The default policy is one budget per client shared by every route without its
 * own; a route with a `rateLimit` has its own budget, named by its path template (so routes that
 * share a path share that budget).
 */
export class RoutePolicies {
  readonly fallback: RatePolicy;
  private byRoute: ReadonlyMap<string, RatePolicy> = new Map();
  /** Bumped by every replace(): what was worked out from the old policies is stale. */
  private generationCount = 0;

  constructor(defaults: { limit: number; windowMs: number }) {
    this.fallback = { name: DEFAULT_POLICY, limit: defaults.limit, windowMs: defaults.windowMs };
  }

  get generation(): number {
    return this.generationCount;
  }

  replace(byRoute: ReadonlyMap<string, RatePolicy>): void {
    this.byRoute = byRoute;
    this.generationCount++;
  }

  /** The policy of a route, by its name in the table. */
  of(route: string | undefined): RatePolicy {
    return (route !== undefined && this.byRoute.get(route)) || this.fallback;
  }
}
