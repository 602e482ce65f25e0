import type { ListenerModel, ServedMatch } from './gateway-api-model';
import { ANY_HOST, hostMatches } from './hostname-intersection';

export interface ModelRequest {
  /** As the Host header gives it: a port is ignored, case is not significant. */
  readonly host: string;
  readonly method: string;
  /** The path without the query string. */
  readonly path: string;
  /** Names lower case. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: string;
}

/**
 * The model's meaning for one request on one listener, as the data plane must reproduce it: the
 * first virtual host whose name takes the Host (no falling back to a less specific one), then the
 * first of its matches, in precedence order, that takes the request. Null: 404. The reference the
 * data-plane matcher is tested against; not used to serve.
 */
export function findServedMatch(
  listener: ListenerModel,
  request: ModelRequest,
): ServedMatch | null {
  const host = request.host.replace(/:\d+$/, '').toLowerCase();
  const vhost = listener.hosts.find(
    (h) => h.hostname === ANY_HOST || hostMatches(h.hostname, host),
  );
  if (vhost === undefined) return null;
  const query = new URLSearchParams(request.query ?? '');
  const headers = request.headers ?? {};
  return (
    vhost.matches.find(
      (m) =>
        pathMatches(m.path, request.path) &&
        (m.method === null || m.method === request.method) &&
        m.headers.every((h) => headers[h.name] === h.value) &&
        m.queryParams.every((q) => query.get(q.name) === q.value),
    ) ?? null
  );
}

/**
 * Exact: the same path. PathPrefix: by whole path elements, a trailing slash of the prefix
 * ignored - `/foo` and `/foo/` both take `/foo`, `/foo/` and `/foo/bar`, never `/foobar`
 * (HTTPPathMatch in apis/v1/httproute_types.go).
 */
function pathMatches(match: ServedMatch['path'], path: string): boolean {
  if (match.kind === 'exact') return path === match.value;
  const prefix = match.value.replace(/\/+$/, '');
  if (prefix === '') return path.startsWith('/');
  return path === prefix || path.startsWith(`${prefix}/`);
}
