import { type HttpUpstreamModel, normalisePath, type PathRewrite, type Route } from '@app/routes';
import type { HttpUpstream } from '@app/upstream';
import { forwardedRequestHeaders, forwardedResponseHeaders } from './forwarded-headers';
import { bodyBytes, type RouteHandler, splitUrl } from './route-handler';

/**
 * A route to an HTTP upstream: the request goes on as it came - method, path (rewritten as the
 * upstream says, one trailing slash dropped as the match ignored it), query, headers (hop-by-hop
 * ones removed, X-Forwarded-* added) and body - and the upstream's answer comes back as it is,
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
  return async (request, reply) => {
    const { path, query } = splitUrl(request.url);
    const response = await upstream.forward(
      {
        method: request.method,
        path: rewritten(normalisePath(path), model.rewrite) + query,
        headers: forwardedRequestHeaders(request.headers, model, {
          address: request.socket.remoteAddress,
          protocol: request.protocol,
          host: request.headers.host,
        }),
        body: bodyBytes(request),
        requestId: request.id,
      },
      call,
    );
    // Not awaited: a FastifyReply is thenable and would wait for the socket to finish.
    void reply
      .status(response.status)
      .headers(forwardedResponseHeaders(response.headers))
      .send(response.body);
  };
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
