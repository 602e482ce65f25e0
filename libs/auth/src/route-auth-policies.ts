import type { RouteAuth } from './auth-routes';

export type AuthScheme = RouteAuth['scheme'];

export interface AuthPolicy {
  scheme: AuthScheme;
  /** JWT scopes the token must all carry. */
  scopes: readonly string[];
}

/** Which authentication a route template needs: its own from AUTH_ROUTES, or AUTH_DEFAULT. */
export class RouteAuthPolicies {
  private readonly byRoute = new Map<string, AuthPolicy>();
  readonly fallback: AuthPolicy;

  constructor(defaultScheme: AuthScheme, routes: readonly RouteAuth[]) {
    this.fallback = { scheme: defaultScheme, scopes: [] };
    for (const route of routes)
      this.byRoute.set(route.route, { scheme: route.scheme, scopes: route.scopes });
  }

  /** Routes with a policy of their own. */
  get routes(): string[] {
    return [...this.byRoute.keys()];
  }

  of(route: string): AuthPolicy {
    return this.byRoute.get(route) ?? this.fallback;
  }

  /** Whether any route needs a credential (if none does, no hook is installed at all). */
  get anyProtected(): boolean {
    return (
      this.fallback.scheme !== 'none' || [...this.byRoute.values()].some((p) => p.scheme !== 'none')
    );
  }
}
