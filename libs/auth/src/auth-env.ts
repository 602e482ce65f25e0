import { commaSeparated, nonNegativeInt, positiveInt } from '@app/env';
import { z } from 'zod';
import { authRoutes } from './auth-routes';

/**
 * Who may call the gateway (docs/edge-security.md): this library's part of the gateway's
 * environment schema, which libs/config/src/env-schema.ts assembles. Only zod here: the config
 * library imports this file (as '@app/auth/env').
 */

export const AUTH_SCHEMES = ['none', 'api-key', 'jwt'] as const;

export const authEnv = {
  /** Scheme of every route without its own in AUTH_ROUTES. */
  AUTH_DEFAULT: z.enum(AUTH_SCHEMES).default('none'),
  /** Per-route schemes and JWT scopes, e.g. `/verify=jwt:users.verify,/projects=api-key`. */
  AUTH_ROUTES: authRoutes.default([]),
  /** File with one API key per line (a mounted Secret); re-read when it changes. */
  AUTH_API_KEYS_FILE: z.string().min(1).optional(),
  /** API keys, comma-separated (an env var from a Secret); fixed for the process's life. */
  AUTH_API_KEYS: z.string().default('').transform(commaSeparated),
  /** How often AUTH_API_KEYS_FILE is checked for changes. */
  AUTH_API_KEYS_RELOAD_MS: positiveInt.default(5000),
  /** JWKS document of the token issuer, http(s). */
  AUTH_JWT_JWKS_URL: z
    .url({ protocol: /^https?$/, message: 'expected an http:// or https:// URL' })
    .optional(),
  /** A static public key (PEM, SPKI) instead of a JWKS URL. */
  AUTH_JWT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** Required `iss` claim. */
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  /** Required `aud` claim (one of the token's audiences). */
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Tolerance for `exp` / `nbf` / `iat`, for clocks that disagree a little. */
  AUTH_JWT_CLOCK_SKEW_S: nonNegativeInt.max(300).default(30),
  /** The JWKS is fetched again at most this often, even for tokens with an unknown `kid`. */
  AUTH_JWT_JWKS_COOLDOWN_MS: positiveInt.default(30_000),
};

/** The validated AUTH_* settings: what AuthModule takes. */
export type AuthEnv = z.infer<z.ZodObject<typeof authEnv>>;

/** Cross-variable rules of the AUTH_* settings: each scheme in use has what it needs. */
export function checkAuthConfig(config: AuthEnv, context: z.RefinementCtx): void {
  const issue = (path: string, message: string) =>
    context.addIssue({ code: 'custom', path: [path], message });
  const schemes = new Set([config.AUTH_DEFAULT, ...config.AUTH_ROUTES.map((r) => r.scheme)]);
  if (
    schemes.has('api-key') &&
    config.AUTH_API_KEYS_FILE === undefined &&
    config.AUTH_API_KEYS.length === 0
  )
    issue('AUTH_API_KEYS_FILE', 'api-key authentication needs AUTH_API_KEYS_FILE or AUTH_API_KEYS');
  if (schemes.has('jwt')) {
    const keySources = [config.AUTH_JWT_JWKS_URL, config.AUTH_JWT_PUBLIC_KEY_FILE].filter(
      (source) => source !== undefined,
    );
    if (keySources.length !== 1)
      issue(
        'AUTH_JWT_JWKS_URL',
        'jwt authentication needs exactly one of AUTH_JWT_JWKS_URL and AUTH_JWT_PUBLIC_KEY_FILE',
      );
    // A token for another service of the same issuer must not pass here: both claims are required.
    if (config.AUTH_JWT_ISSUER === undefined)
      issue('AUTH_JWT_ISSUER', 'jwt authentication needs the expected issuer');
    if (config.AUTH_JWT_AUDIENCE === undefined)
      issue('AUTH_JWT_AUDIENCE', 'jwt authentication needs the expected audience');
  }
}
