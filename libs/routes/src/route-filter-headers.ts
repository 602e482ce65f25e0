/**
 * Headers a route's `requestHeaders` and `responseHeaders` may not touch, and why: hop-by-hop
 * headers (RFC 9110 section 7.6.1) belong to one connection and are never passed on, so an edit
 * of them would do nothing or break the connection; `host` is the upstream's (the gateway sets it
 * per attempt: match a host with `match.hosts`, send another with the upstream's URL);
 * `content-length` is the body's framing, which the gateway computes.
 */
export const REFUSED_FILTER_HEADERS: ReadonlyMap<string, string> = new Map([
  ...[
    'connection',
    'keep-alive',
    'proxy-authenticate',
    'proxy-authorization',
    'proxy-connection',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
  ].map((name) => [name, 'a hop-by-hop header, never passed on'] as const),
  ['host', 'set by the gateway for the upstream it calls'],
  ['content-length', "the body's framing, computed by the gateway"],
]);
