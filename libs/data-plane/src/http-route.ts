import {
  type HttpUpstreamModel,
  normalisePath,
  type PathModifier,
  type PathRewrite,
  type Route,
} from '@app/routes';
import type { HttpUpstream } from '@app/upstream';
import { forwardedRequestHeaders, forwardedResponseHeaders } from './forwarded-headers';
import { editHeaders, editReplyHeaders } from './header-edits';
import { bodyBytes, type RouteHandler, splitUrl } from './route-handler';

/**
 * A route to an HTTP upstream: the request goes on as it came - method, path (rewritten as the
 * route's `rewrite`, then the upstream's, say, one trailing slash dropped as the match ignored it), query, headers (hop-by-hop
 * ones removed, X-Forwarded-* added, then the upstream's and the route's header edits) and body -
 * and the upstream's answer comes back as it is (the route's response header edits applied),
 * unless it is a 5xx or no answer at all (then the gateway's 502 / 503 / 504, see HttpUpstream).
 */
export function httpRouteHandler(
  route: Route,
  model: HttpUpstreamModel,
  upstream: HttpUpstream,
): RouteHandler {
  const call = {
    timeoutMs: route.timeoutMs,
    maxAttempts: route.retry.maxAttempts,
    idempotent: route.retry.idempotent,
    perTryTimeoutMs: route.retry.perTryTimeoutMs,
  };
  // Read once here: a route without filters pays one check per request for each.
  const requestEdits = route.requestHeaders;
  const responseEdits = route.responseHeaders;
  const routeRewrite = route.rewrite;
  const matchedPrefix = route.match.path.kind === 'prefix' ? route.match.path.path : '/';
  return async (request, reply) => {
    const { path, query } = splitUrl(request.url);
    // A strict path passes its trailing slash on; otherwise the match ignored it, and so does this.
    let target =
      'trailingSlash' in route.match.path && route.match.path.trailingSlash === 'strict'
        ? path
        : normalisePath(path);
    if (routeRewrite?.path) target = modifiedPath(target, routeRewrite.path, matchedPrefix);
    const headers = forwardedRequestHeaders(request.headers, model, {
      address: request.socket.remoteAddress,
      protocol: request.protocol,
      host: request.headers.host,
    });
    if (requestEdits) editHeaders(headers, requestEdits);
    const response = await upstream.forward(
      {
        method: request.method,
        path: rewritten(target, model.rewrite) + query,
        headers,
        host: routeRewrite?.hostname ?? (model.preserveHost ? request.headers.host : undefined),
        body: bodyBytes(request),
        requestId: request.id,
      },
      call,
    );
    // Not awaited: a FastifyReply is thenable and would wait for the socket to finish.
    reply.status(response.status).headers(forwardedResponseHeaders(response.headers));
    if (responseEdits) editReplyHeaders(reply, responseEdits);
    void reply.send(response.body);
  };
}

/**
 * A route's new path (a redirect's or a rewrite's): the whole path, or `matchedPrefix` - the
 * prefix the route matched, `/` on other routes - replaced by whole segments.
 */
export function modifiedPath(path: string, modifier: PathModifier, matchedPrefix: string): string {
  if (modifier.kind === 'full') return modifier.path;
  return rewritten(path, { prefix: matchedPrefix, replacement: modifier.prefix });
}

/** `prefix` replaced by `replacement` when the path starts with it by whole segments. */
export function rewritten(path: string, rewrite: PathRewrite | null): string {
  if (rewrite === null) return path;
  const { prefix, replacement } = rewrite;
  const whole = prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
  if (!whole) return path;
  const rest = prefix === '/' ? path.slice(1) : path.slice(prefix.length);
  if (replacement === '/') return rest.startsWith('/') ? rest : `/${rest}`;
  return rest === '' || rest.startsWith('/') ? replacement + rest : `${replacement}/${rest}`;
}
