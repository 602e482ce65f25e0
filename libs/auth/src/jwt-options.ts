import type { AuthEnv } from './auth-env';
import type { JwtOptions } from './jwt-verifier';

/**
 * The JWT verifier's options, from this library's part of the configuration. Only called when a
 * route uses jwt, where checkAuthConfig has made sure the issuer and audience are set.
 */
export function jwtOptionsOf(config: AuthEnv): JwtOptions {
  return {
    jwksUrl: config.AUTH_JWT_JWKS_URL,
    publicKeyFile: config.AUTH_JWT_PUBLIC_KEY_FILE,
    issuer: config.AUTH_JWT_ISSUER as string,
    audience: config.AUTH_JWT_AUDIENCE as string,
    clockSkewS: config.AUTH_JWT_CLOCK_SKEW_S,
    jwksCooldownMs: config.AUTH_JWT_JWKS_COOLDOWN_MS,
  };
}
