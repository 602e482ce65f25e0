import type { AuthScheme } from './route-auth-policies';

/**
 * Which schemes this gateway can check, fixed at start-up by its variables: a route table that
 * asks for another is refused (at start-up, or on a reload: the last good table stays).
 */
export class AuthCapabilities {
  constructor(private readonly can: { apiKey: boolean; jwt: boolean }) {}

  /** Why `scheme` cannot be served, or undefined when it can. */
  problem(scheme: AuthScheme): string | undefined {
    if (scheme === 'api-key' && !this.can.apiKey)
      return 'api-key authentication needs AUTH_API_KEYS_FILE or AUTH_API_KEYS';
    if (scheme === 'jwt' && !this.can.jwt)
      return 'jwt authentication needs AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE and one of AUTH_JWT_JWKS_URL, AUTH_JWT_PUBLIC_KEY_FILE';
    return undefined;
  }
}
