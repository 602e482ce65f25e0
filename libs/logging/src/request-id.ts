import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

// Accept what common proxies and tracers generate (UUIDs, hex, base64url, dotted ids), bounded
// in length; anything else is replaced so a client cannot inject into our logs or headers.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The incoming request id when it is well-formed, otherwise a fresh UUID. */
export function requestIdFrom(incoming: string | string[] | undefined): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return value !== undefined && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}
