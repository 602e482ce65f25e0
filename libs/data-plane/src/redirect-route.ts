import type { Route, RouteRedirect } from '@app/routes';
import { editReplyHeaders } from './header-edits';
import { modifiedPath } from './http-route';
import type { RouteHandler } from './route-handler';
import { splitUrl } from './route-handler';

const WELL_KNOWN_PORTS = { http: '80', https: '443' } as const;

/** What of a request a redirect's `Location` is built from. */
export interface RedirectSource {
  readonly scheme: 'http' | 'https';
  /** The Host header: `name`, `name:port`, `[v6]` or `[v6]:port`. */
  readonly host: string;
  /** The request target as received: path and query string. */
  readonly url: string;
}

/**
 * A redirect route (route-model.ts RouteRedirect): answered by the gateway with the route's status
 * and `Location`, its `responseHeaders` applied, and no upstream called.
 */
export function redirectRouteHandler(route: Route, redirect: RouteRedirect): RouteHandler {
  const matchedPrefix = route.match.path.kind === 'prefix' ? route.match.path.path : '/';
  const edits = route.responseHeaders;
  return async (request, reply) => {
    const location = redirectLocation(
      redirect,
      { scheme: request.protocol, host: request.headers.host ?? '', url: request.url },
      matchedPrefix,
    );
    reply.status(redirect.statusCode).header('location', location);
    if (edits) editReplyHeaders(reply, edits);
    // Not awaited: a FastifyReply is thenable and would wait for the socket to finish.
    void reply.send();
  };
}

/**
 * The `Location` of a redirect, as Gateway API's HTTPRequestRedirectFilter builds it: the request's
 * URL with the redirect's parts replaced. Without a port, a new scheme takes its well-known port
 * and otherwise the request's own stays (the port the client reached this listener on, as its
 * Host header says, or the well-known port of its scheme when the Host header has none); port 80
 * with http and 443 with https are left out. A `prefix` path replaces `matchedPrefix`, the prefix
 * the route matched, by whole segments. The query string is kept.
 */
export function redirectLocation(
  redirect: RouteRedirect,
  request: RedirectSource,
  matchedPrefix: string,
): string {
  const own = splitHost(request.host);
  const scheme = redirect.scheme ?? request.scheme;
  const port =
    redirect.port !== null
      ? String(redirect.port)
      : redirect.scheme !== null
        ? WELL_KNOWN_PORTS[redirect.scheme]
        : (own.port ?? WELL_KNOWN_PORTS[request.scheme]);
  const host = redirect.hostname ?? own.hostname;
  const authority = port === WELL_KNOWN_PORTS[scheme] ? host : `${host}:${port}`;
  const { path, query } = splitUrl(request.url);
  const newPath = redirect.path === null ? path : modifiedPath(path, redirect.path, matchedPrefix);
  return `${scheme}://${authority}${newPath}${query}`;
}

function splitHost(host: string): { hostname: string; port: string | undefined } {
  const colon = host.lastIndexOf(':');
  // A colon inside the brackets of an IPv6 literal is not the port's.
  if (colon < 0 || colon < host.lastIndexOf(']')) return { hostname: host, port: undefined };
  return { hostname: host.slice(0, colon), port: host.slice(colon + 1) };
}
