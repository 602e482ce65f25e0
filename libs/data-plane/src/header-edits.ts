import type { HeaderModifier } from '@app/routes';
import type { FastifyReply } from 'fastify';

type HeaderValue = string | string[] | number | undefined;

/**
 * A route's `requestHeaders` on the headers of a request about to be sent (lower-case names, as
 * forwardedRequestHeaders leaves them): remove, then set, then add (route-model.ts HeaderModifier).
 */
export function editHeaders(headers: Record<string, HeaderValue>, edits: HeaderModifier): void {
  for (const name of edits.remove) delete headers[name];
  for (const { name, value } of edits.set) headers[name] = value;
  for (const { name, value } of edits.add) headers[name] = appended(name, headers[name], value);
}

/**
 * A route's `responseHeaders` on the answer about to be sent, whatever set its headers before (the
 * upstream's passed on, the gateway's own such as rate-limit headers). Fastify appends a
 * set-cookie given again on its own, so `add` leaves that one to it.
 */
export function editReplyHeaders(reply: FastifyReply, edits: HeaderModifier): void {
  for (const name of edits.remove) reply.removeHeader(name);
  for (const { name, value } of edits.set) reply.removeHeader(name).header(name, value);
  for (const { name, value } of edits.add)
    reply.header(
      name,
      name === 'set-cookie' ? value : appended(name, reply.getHeader(name), value),
    );
}

/**
 * `value` after what the header has: one more line for set-cookie (whose lines cannot be joined,
 * RFC 9110 section 5.3), else `a,b` - the same field value as two lines of it, written as the
 * Gateway API's header filters specify (`my-header: foo,bar`).
 */
function appended(name: string, existing: HeaderValue, value: string): string | string[] {
  if (existing === undefined) return value;
  if (Array.isArray(existing))
    return name === 'set-cookie' ? [...existing, value] : `${existing.join(',')},${value}`;
  return name === 'set-cookie' ? [String(existing), value] : `${String(existing)},${value}`;
}
