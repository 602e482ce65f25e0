import type { IncomingHttpHeaders } from 'node:http';
import { AuthFailure } from './auth-failure';
import type { ApiKeys } from './api-keys';
import type { JwtVerifier } from './jwt-verifier';
import type { AuthPolicy } from './route-auth-policies';

export const API_KEY_HEADER = 'x-api-key';

/** `Authorization: Bearer <credential>`, the scheme name case-insensitive (RFC 9110). */
function bearerOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers.authorization;
  if (value === undefined) return undefined;
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  return match?.[1];
}

/**
 * Decides whether a request may pass a route's policy, and who it is: the identity the rate
 * limiter keys on (`key:<digest prefix>` or `jwt:<sub>`), or undefined for a public route.
 * Throws AuthFailure otherwise.
 */
export class Authenticator {
  constructor(
    private readonly apiKeys: ApiKeys,
    private readonly jwt: JwtVerifier | undefined,
  ) {}

  async authenticate(
    policy: AuthPolicy,
    headers: IncomingHttpHeaders,
  ): Promise<string | undefined> {
    switch (policy.scheme) {
      case 'none':
        return undefined;
      case 'api-key':
        return this.apiKey(headers);
      case 'jwt':
        return this.token(policy, headers);
    }
  }

  private apiKey(headers: IncomingHttpHeaders): string {
    const header = headers[API_KEY_HEADER];
    const key = typeof header === 'string' && header !== '' ? header : bearerOf(headers);
    if (key === undefined)
      throw new AuthFailure(
        'missing',
        'an API key is required: send X-API-Key or Authorization: Bearer',
      );
    const identity = this.apiKeys.identify(key);
    if (identity === undefined) throw new AuthFailure('invalid', 'API key is not valid');
    return identity;
  }

  private async token(policy: AuthPolicy, headers: IncomingHttpHeaders): Promise<string> {
    const token = bearerOf(headers);
    if (token === undefined)
      throw new AuthFailure(
        'missing',
        'a bearer token is required: send Authorization: Bearer <JWT>',
      );
    const verified = await (this.jwt as JwtVerifier).verify(token);
    const missing = policy.scopes.filter((scope) => !verified.scopes.has(scope));
    if (missing.length > 0)
      throw new AuthFailure(
        'forbidden',
        `token lacks the scope ${missing.join(' ')}`,
        policy.scopes,
      );
    return `jwt:${verified.subject}`;
  }
}
