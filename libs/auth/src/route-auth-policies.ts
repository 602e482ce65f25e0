import type { RouteAuth } from './auth-routes';

export type AuthScheme = RouteAuth['scheme'];

export interface AuthPolicy {
  scheme: AuthScheme;
  /** JWT scopes the token must all carry. */
  scopes: readonly string[];
}

/**
 * Which authentication each route of the served table needs, by route name; replaced as a whole
 * with every new route table. A name it does not know gets AUTH_DEFAULT.
 */
export class RouteAuthPolicies {
  private byRoute: ReadonlyMap<string, AuthPolicy> = new Map();
  readonly fallback: AuthPolicy;

  constructor(defaultScheme: AuthScheme) {
    this.fallback = { scheme: defaultScheme, scopes: [] };
  }

  replace(byRoute: ReadonlyMap<string, AuthPolicy>): void {
    this.byRoute = byRoute;
  }

  of(route: string): AuthPolicy {
    return this.byRoute.get(route) ?? this.fallback;
  }
}
