/** Hop-by-hop headers (RFC 9110 section 7.6.1): they belong to one connection, never passed on. */
export const HOP_BY_HOP_HEADERS: readonly string[] = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/**
 * Headers a route's `requestHeaders` and `responseHeaders` may not touch, and why: an edit of a
 * hop-by-hop header would do nothing or break the connection; `host` is the upstream's (the
 * gateway sets it per attempt: match a host with `match.hosts`, send another with the upstream's
 * URL); `content-length` is the body's framing, which the gateway computes; the request id is set
 * per attempt, so an edit of it would be lost.
 */
export const REFUSED_FILTER_HEADERS: ReadonlyMap<string, string> = new Map([
  ...HOP_BY_HOP_HEADERS.map((name) => [name, 'a hop-by-hop header, never passed on'] as const),
  ['host', 'set by the gateway for the upstream it calls'],
  ['content-length', "the body's framing, computed by the gateway"],
  ['x-request-id', 'set by the gateway on every attempt'],
]);
