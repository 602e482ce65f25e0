import { HOP_BY_HOP_HEADERS, type HttpUpstreamModel } from '@app/routes';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers are never forwarded; nor are the ones the gateway sets itself per attempt
 * (host, the request id) or recomputes from the body it sends (content-length).
 */
const NOT_FORWARDED = new Set([
  ...HOP_BY_HOP_HEADERS,
  'host',
  'content-length',
  'x-request-id',
  'expect',
]);

/** What the gateway adds: where the request came from (de-facto X-Forwarded-* headers). */
export interface ClientSide {
  readonly address: string | undefined;
  readonly protocol: 'http' | 'https';
  readonly host: string | undefined;
}

/**
 * The headers of a forwarded request: the client's, without hop-by-hop ones (and those the
 * `Connection` header names), with the upstream's `remove` and `add`, and X-Forwarded-For (appended),
 * -Proto and -Host.
 */
export function forwardedRequestHeaders(
  incoming: IncomingHttpHeaders,
  upstream: HttpUpstreamModel,
  client: ClientSide,
): Record<string, string | string[]> {
  const dropped = connectionNamed(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || NOT_FORWARDED.has(name) || dropped.has(name)) continue;
    headers[name] = value;
  }
  for (const name of upstream.headers.remove) delete headers[name];
  const forwardedFor = incoming['x-forwarded-for'];
  if (client.address)
    headers['x-forwarded-for'] = forwardedFor
      ? `${String(forwardedFor)}, ${client.address}`
      : client.address;
  headers['x-forwarded-proto'] = client.protocol;
  if (client.host) headers['x-forwarded-host'] = client.host;
  Object.assign(headers, upstream.headers.add);
  return headers;
}

/** The headers of the upstream's answer as the client gets them: without hop-by-hop ones. */
export function forwardedResponseHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): OutgoingHttpHeaders {
  const dropped = connectionNamed(headers.connection);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_FORWARDED.has(name) || dropped.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function connectionNamed(connection: string | string[] | undefined): Set<string> {
  if (connection === undefined) return new Set();
  return new Set(
    [connection]
      .flat()
      .flatMap((value) => value.split(','))
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}
