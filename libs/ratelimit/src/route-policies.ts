import type { RouteLimit } from './route-limits';

/** One limit: `limit` requests per client per `windowMs`, counted in its own bucket. */
export interface RatePolicy {
  /** "default", or the route for a per-route policy; names the policy in headers and store keys. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export const DEFAULT_POLICY = 'default';

/**
 * Which policy governs a route. The default policy is one budget per client shared by every route
 * without its own policy; a route listed in RATE_LIMIT_ROUTES has its own budget instead.
 */
export class RoutePolicies {
  readonly fallback: RatePolicy;
  private readonly byRoute = new Map<string, RatePolicy>();

  constructor(defaults: { limit: number; windowMs: number }, routes: readonly RouteLimit[]) {
    this.fallback = policy(DEFAULT_POLICY, defaults.limit, defaults.windowMs);
    for (const route of routes)
      this.byRoute.set(
        route.route,
        policy(route.route, route.limit, route.windowMs ?? defaults.windowMs),
      );
  }

  /** Routes with a policy of their own. */
  get routes(): string[] {
    return [...this.byRoute.keys()];
  }

  /** The policy of a route template (`request.routeOptions.url`). */
  of(route: string | undefined): RatePolicy {
    return (route !== undefined && this.byRoute.get(route)) || this.fallback;
  }
}

function policy(name: string, limit: number, windowMs: number): RatePolicy {
  return { name, limit, windowMs };
}
