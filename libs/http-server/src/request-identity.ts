const IDENTITY = Symbol('authenticatedIdentity');

type Carrier = { [IDENTITY]?: string };

/**
 * Who a request authenticated as, shared between authentication (@app/auth sets it in a hook,
 * before any guard runs) and the rate limiter (which keys on it), neither depending on the other.
 */
export function setAuthenticatedIdentity(request: object, identity: string): void {
  (request as Carrier)[IDENTITY] = identity;
}

/**
 * Who the request authenticated as: `key:<digest prefix>` or `jwt:<sub>`, never a credential;
 * undefined on a public route. The rate limiter keys on it when there is one.
 */
export function authenticatedIdentity(request: object): string | undefined {
  return (request as Carrier)[IDENTITY];
}
