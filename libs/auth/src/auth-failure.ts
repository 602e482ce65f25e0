/** Why a request was refused; the `reason` label of auth_failures_total (a bounded set). */
export type AuthFailureReason = 'missing' | 'invalid' | 'expired' | 'forbidden' | 'unavailable';
export const AUTH_FAILURE_REASONS: readonly AuthFailureReason[] = [
  'missing',
  'invalid',
  'expired',
  'forbidden',
  'unavailable',
];

/**
 * A refused request: 401 (no or bad credentials), 403 (valid identity without the scope) or 503
 * (keys to verify a token with cannot be fetched). The message names the problem and never
 * contains the credential.
 */
export class AuthFailure extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    /** Scopes the route requires, for the 403 challenge. */
    readonly scopes: readonly string[] = [],
  ) {
    super(message);
  }

  get status(): 401 | 403 | 503 {
    return this.reason === 'forbidden' ? 403 : this.reason === 'unavailable' ? 503 : 401;
  }
}
