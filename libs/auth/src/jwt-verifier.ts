import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { AuthFailure } from './auth-failure';

/** Asymmetric algorithms only: a shared HMAC secret would let every verifier mint tokens. */
export const JWT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'];

export interface JwtOptions {
  jwksUrl?: string;
  publicKeyFile?: string;
  issuer: string;
  audience: string;
  clockSkewS: number;
  /** Least time between two JWKS fetches, even for tokens with a `kid` not in the cached set. */
  jwksCooldownMs: number;
}

export interface VerifiedToken {
  subject: string;
  scopes: Set<string>;
}

type KeyInput = KeyObject | ReturnType<typeof createRemoteJWKSet>;

/**
 * Verifies bearer tokens with jose: signature against the JWKS (cached, fetched again for an
 * unknown `kid`, at most once per cooldown) or a static public key, then `iss`, `aud`, `exp` and
 * `nbf` within the clock skew. Scopes come from `scope` (space-separated) or `scp` (a list).
 */
export class JwtVerifier {
  private readonly key: KeyInput;

  constructor(private readonly options: JwtOptions) {
    this.key = options.jwksUrl
      ? createRemoteJWKSet(new URL(options.jwksUrl), {
          cooldownDuration: options.jwksCooldownMs,
          timeoutDuration: 2000,
        })
      : createPublicKey(readFileSync(options.publicKeyFile as string));
  }

  async verify(token: string): Promise<VerifiedToken> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as KeyObject, {
        algorithms: JWT_ALGORITHMS,
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockSkewS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw failureOf(err);
    }
    return { subject: String(payload.sub), scopes: scopesOf(payload) };
  }
}

function scopesOf(payload: JWTPayload): Set<string> {
  const scope = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  const scp = Array.isArray(payload.scp) ? payload.scp.filter((s) => typeof s === 'string') : [];
  return new Set([...scope, ...scp].filter((s) => s !== ''));
}

/** jose's error as the client may see it: what is wrong, never the token. */
function failureOf(err: unknown): AuthFailure {
  if (err instanceof errors.JWTExpired) return new AuthFailure('expired', 'token expired');
  if (err instanceof errors.JWTClaimValidationFailed)
    return new AuthFailure('invalid', `token claim ${err.claim} is not accepted (${err.reason})`);
  if (err instanceof errors.JWKSTimeout || isFetchFailure(err))
    return new AuthFailure('unavailable', 'cannot verify tokens now: the key set is unreachable');
  if (err instanceof errors.JWKSNoMatchingKey)
    return new AuthFailure('invalid', 'token signed with an unknown key');
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new AuthFailure('invalid', 'token signature is invalid');
  if (err instanceof errors.JOSEAlgNotAllowed)
    return new AuthFailure(
      'invalid',
      `token algorithm not allowed; use ${JWT_ALGORITHMS.join(', ')}`,
    );
  return new AuthFailure('invalid', 'token is malformed');
}

/** The JWKS fetch itself failed (refused, reset, non-200): not the client's fault. */
function isFetchFailure(err: unknown): boolean {
  if (err instanceof errors.JOSEError)
    return err.code === 'ERR_JOSE_GENERIC' && /fetch|response/i.test(err.message);
  return err instanceof TypeError || (err as { name?: string })?.name === 'AbortError';
}
