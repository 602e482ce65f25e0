import type { AUTH_SCHEMES } from '@app/auth/env';

/**
 * The gateway's routes as data (docs/adr/0008-route-model.md): what every source of routes - the
 * route file, today's environment, later Kubernetes Gateway API objects and `google.api.http`
 * annotations - is translated into, and the one thing the data plane reads. Every value is
 * resolved: defaults are applied when a table is built, so nothing here is optional by omission.
 */

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * Which request paths a route takes; every kind ignores one trailing slash, as the router does,
 * except an exact path with `trailingSlash: 'strict'`.
 * - exact: `/projects` only; with `trailingSlash: 'ignore'` `/projects/` too, with `'strict'` only
 *   the path as written (`/projects/` is then another path, as Gateway API's Exact has it);
 * - prefix: `/api` and everything below it, by whole segments (`/api/x`, not `/apix`);
 * - template: whole segments, `{name}` standing for any one segment (`/orders/{id}`);
 * - http-rule: a `google.api.http` path template as its .proto writes it (routes taken from
 *   annotations only): `{field.path=segments}` variables, `*` one segment, `**` the rest, an
 *   optional `:verb` suffix (`/v1/{name=shelves/*}/books`, `/v1/{name=**}`, `/v1/x/{id}:archive`);
 *   `variables` are the field paths it binds, in order. Matched as google/api/http.proto says.
 */
export type PathMatch =
  | {
      readonly kind: 'exact';
      readonly path: string;
      /** `ignore` (the route file's default): one trailing slash is dropped here and ignored. */
      readonly trailingSlash: 'ignore' | 'strict';
    }
  | {
      readonly kind: 'prefix';
      readonly path: string;
      /**
       * `strict`: the request path goes upstream with its trailing slash as received (the Gateway
       * API's way). Absent: one trailing slash is dropped, as the match ignored it.
       */
      readonly trailingSlash?: 'strict';
    }
  | { readonly kind: 'template'; readonly path: string; readonly variables: readonly string[] }
  | { readonly kind: 'http-rule'; readonly path: string; readonly variables: readonly string[] };

export interface RouteMatch {
  /** Sorted, without duplicates. */
  readonly methods: readonly HttpMethod[];
  readonly path: PathMatch;
  /** Host names (lower case, `*.example.com` for one or more labels), sorted; empty = any host. */
  readonly hosts: readonly string[];
  /**
   * Request headers the request must carry with exactly these values, all of them; names lower
   * case (header names ignore case), sorted by name, one condition per name; empty = no condition.
   * A header sent on several lines is matched as its lines joined by `, ` (RFC 9110 section 5.3).
   */
  readonly headers: readonly NameValue[];
  /**
   * Query parameters the request must carry with exactly these values (after percent-decoding),
   * all of them; names as written (they are case-sensitive), sorted by name, one per name; empty =
   * no condition. A parameter given twice is matched by its first value.
   */
  readonly query: readonly NameValue[];
  /**
   * How the request reached the gateway: `https` over TLS the gateway terminated (its TLS
   * listener, or a Gateway API HTTPS listener), `http` in plain text; absent: either. Routes of
   * one scheme are matched apart from those of the other, as two listeners would.
   */
  readonly scheme?: 'http' | 'https';
}

/** One header or query parameter condition: the name and the exact value. */
export interface NameValue {
  readonly name: string;
  readonly value: string;
}

export type AuthScheme = (typeof AUTH_SCHEMES)[number];

/** As AUTH_ROUTES has it: a scheme, and for jwt the scopes a token must all carry (sorted). */
export interface RouteAuthPolicy {
  readonly scheme: AuthScheme;
  readonly scopes: readonly string[];
}

/** As RATE_LIMIT_ROUTES has it: `limit` requests per client per `windowMs`, in its own budget. */
export interface RouteRateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

export interface RouteRetryPolicy {
  /**
   * Whether a call may run twice: only then is an attempt retried after the upstream may have read
   * it. Attempts that provably never reached a replica are retried either way (docs/traffic.md).
   */
  readonly idempotent: boolean;
  /** Attempts per call, the first included (the upstream's unless the route sets its own). */
  readonly maxAttempts: number;
  /**
   * Idempotent routes only: longest one attempt waits before it is abandoned and retried on
   * another replica, within `timeoutMs` (the upstream's unless the route sets its own).
   */
  readonly perTryTimeoutMs: number;
}

/** The gRPC method a route calls; only on routes to a gRPC upstream. */
export interface GrpcMethod {
  /** Fully qualified service name, e.g. `userverify.UserVerify`. */
  readonly service: string;
  readonly method: string;
  /**
   * Set on routes taken from a `google.api.http` rule (path kind `http-rule`): which parts of the
   * request and reply are the messages, as the rule says. Absent on routes of the file: the JSON
   * body is the whole request message for methods with a body, the reply the whole response.
   */
  readonly httpRule?: HttpRuleMapping;
}

/** The body mapping of one `google.api.http` rule (or additional binding). */
export interface HttpRuleMapping {
  /** `*` (the body is the message), a top-level request field, or null (no body). */
  readonly body: string | null;
  /** A top-level reply field sent as the whole response body, or null (the whole reply). */
  readonly responseBody: string | null;
}

/**
 * A method of a gRPC upstream with `httpRulesFromProtos` that got no route, and why (streaming,
 * a custom HTTP method): the gateway logs them when it loads the table.
 */
export interface SkippedMethod {
  readonly upstream: string;
  /** `/package.Service/Method`. */
  readonly grpcPath: string;
  readonly reason: string;
}

export interface Route {
  /** Unique in its table; names the route in errors, logs and metrics. */
  readonly name: string;
  readonly match: RouteMatch;
  /**
   * Precedence among routes that take the same request path by the same router entry (the same
   * method, path and host; docs/adr/0008-route-model.md): the lower order is tried first, and the
   * first whose headers and query match takes the request. The route file orders its routes by
   * more header conditions, then more query conditions, then name; a Gateway API source gives its
   * own precedence (method, headers, query, age). Path specificity is not in it: a more specific
   * path wins whatever its order.
   */
  readonly order: number;
  /**
   * Name of an upstream of the same table (with `backends`, the first of them); null exactly for a
   * redirect or respond route.
   */
  readonly upstream: string | null;
  /**
   * Set: http upstreams sharing the requests, each request going to one of them at random in
   * proportion to `weight` (0: none); absent for a route to one upstream.
   */
  readonly backends?: readonly RouteBackend[];
  /** Set exactly when the upstream is a gRPC upstream. */
  readonly grpc: GrpcMethod | null;
  /**
   * `grpc`: the route takes gRPC calls - HTTP/2 requests, cleartext (h2c) or over TLS with ALPN -
   * and passes each through to its http upstreams over HTTP/2 as it came, streams and trailers
   * included (a Gateway API GRPCRoute). It takes no HTTP/1 request. Absent: an HTTP route.
   */
  readonly protocol?: 'grpc';
  /**
   * The hostname of the Gateway API listener the route came through ('' for a listener without
   * one). A request is matched only against the routes of the most specific listener hostname
   * that takes its Host (exact, then longer wildcards, then ''), as listeners sharing a port are
   * isolated from one another; no listener hostname taking it, no route. Absent (route files):
   * ''.
   */
  readonly listenerHost?: string;
  /**
   * Set exactly when `upstream` is null: the gateway answers the redirect itself and calls no
   * upstream (timeoutMs and retry are then unused).
   */
  readonly redirect?: RouteRedirect;
  /** Set exactly when `upstream` is null and there is no redirect: answered with this error. */
  readonly respond?: RouteResponse;
  /**
   * Edits of the request sent upstream (HTTP upstreams only), after the upstream's own `headers`.
   * The filters are absent rather than null when a route has none, so that the version of a
   * table without any (canonical JSON leaves absent fields out) stays what it was before they
   * existed.
   */
  readonly requestHeaders?: HeaderModifier;
  /**
   * Edits of the answer the client gets: the upstream's answer as passed on (for a gRPC route the
   * transcoded JSON answer), or the redirect; not the gateway's own error answers.
   */
  readonly responseHeaders?: HeaderModifier;
  /**
   * HTTP upstreams only: the path and Host header sent upstream (Gateway API's URLRewrite). The
   * new path is then rewritten by the upstream's own `rewrite`, if any, and appended to its base
   * URL; the query string is kept.
   */
  readonly rewrite?: RouteRewrite;
  readonly auth: RouteAuthPolicy;
  /** Its own budget, or null: the gateway's default budget, shared with every such route. */
  readonly rateLimit: RouteRateLimit | null;
  /** Total time budget of one call, retries included. */
  readonly timeoutMs: number;
  readonly retry: RouteRetryPolicy;
  /** Largest request body; a larger one gets 413. */
  readonly bodyLimitBytes: number;
  /**
   * JSON Schema (draft 2020-12) the request body must satisfy before any upstream is called, or
   * null: the body is not checked here (a gRPC route's body is still checked against its message).
   */
  readonly bodySchema: JsonSchema | null;
}

/**
 * Header edits of a route, applied in this order: `remove`, then `set`, then `add` (a name in
 * two of them is refused by the route file, not by the model). Names lower case, each list sorted
 * by name; never a hop-by-hop header, `host`, `content-length` or `x-request-id` (route-filter-headers.ts).
 */
export interface HeaderModifier {
  /** Replaces every value the header had. */
  readonly set: readonly NameValue[];
  /**
   * Appends to the header's value (`a` + `b` = `a,b`, as Gateway API's RequestHeaderModifier
   * `add`; one more line for set-cookie), or sets it when absent.
   */
  readonly add: readonly NameValue[];
  readonly remove: readonly string[];
}

export const REDIRECT_STATUS_CODES = [301, 302, 303, 307, 308] as const;
export type RedirectStatusCode = (typeof REDIRECT_STATUS_CODES)[number];

/**
 * A new path: the whole path, or the prefix the route matched replaced (by whole segments, as
 * PathRewrite does; only on prefix routes). Gateway API's HTTPPathModifier.
 */
export type PathModifier =
  | { readonly kind: 'full'; readonly path: string }
  | { readonly kind: 'prefix'; readonly prefix: string };

/**
 * Gateway API's RequestRedirect filter: the `Location` is the request's URL with these parts
 * replaced (null: the request's own; the query string is kept). Without a port, a new scheme
 * takes its well-known port and otherwise the request's port stays (the port the client reached
 * the gateway on, from the Host header); port 80 with http and 443 with https are left out.
 */
export interface RouteRedirect {
  readonly scheme: 'http' | 'https' | null;
  /** Lower case. */
  readonly hostname: string | null;
  readonly port: number | null;
  readonly path: PathModifier | null;
  readonly statusCode: RedirectStatusCode;
}

/** One upstream of a route whose requests are shared. */
export type RouteBackend = UpstreamBackend | RespondBackend;

/** A share sent to an http upstream. */
export interface UpstreamBackend {
  readonly upstream: string;
  readonly weight: number;
  /** Edits of this upstream's requests and answers, besides the route's (other headers). */
  readonly requestHeaders?: HeaderModifier;
  readonly responseHeaders?: HeaderModifier;
}

/** A share the gateway answers itself (the Gateway API's 500 for an unresolved backendRef). */
export interface RespondBackend {
  readonly respond: RouteResponse;
  readonly weight: number;
}

/** An answer the gateway gives itself: this status and the stack's JSON error body. */
export interface RouteResponse {
  readonly status: number;
  readonly message: string;
}

/** A route's rewrite of what it sends upstream; null parts are left as they are. */
export interface RouteRewrite {
  /** Host header sent instead of the replica's authority (lower case). */
  readonly hostname: string | null;
  readonly path: PathModifier | null;
}

/** A JSON Schema document, as parsed from the route file. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** How the gateway treats one upstream: the knobs of docs/traffic.md, per upstream. */
export interface UpstreamTraffic {
  /** Total time budget of one call, retries included (a route may set its own). */
  readonly timeoutMs: number;
  /** HTTP only: time to open one connection to a replica. */
  readonly connectTimeoutMs: number;
  readonly retry: {
    readonly maxAttempts: number;
    readonly budgetPercent: number;
    readonly budgetMaxTokens: number;
    /** Idempotent routes' per-try timeout, unless a route sets its own. */
    readonly perTryTimeoutMs: number;
  };
  readonly breaker: {
    readonly consecutiveUnavailable: number;
    readonly errorThresholdPercent: number;
    readonly volumeThreshold: number;
    readonly windowMs: number;
    readonly resetTimeoutMs: number;
  };
  readonly outlier: {
    /** Failures in a row (timeouts included) that eject a replica. */
    readonly consecutiveFailures: number;
    readonly intervalMs: number;
    readonly baseEjectionMs: number;
    readonly maxEjectionMs: number;
    readonly maxEjectionPercent: number;
  };
  /** gRPC only: HTTP/2 pings that find a connection whose replica stopped answering. */
  readonly keepalive: {
    readonly timeMs: number;
    readonly timeoutMs: number;
  };
}

/** Replaces a leading `prefix` of the request path (whole segments) by `replacement`. */
export interface PathRewrite {
  readonly prefix: string;
  readonly replacement: string;
}

export interface HttpUpstreamModel {
  readonly kind: 'http';
  readonly name: string;
  /** Base URLs (http://host[:port][/base]); each name resolves to all its addresses. */
  readonly urls: readonly string[];
  readonly rewrite: PathRewrite | null;
  readonly headers: {
    /** Request headers set on every call (lower-case names). */
    readonly add: Readonly<Record<string, string>>;
    /** Request headers removed before a call (lower-case names, sorted). */
    readonly remove: readonly string[];
  };
  readonly traffic: UpstreamTraffic;
  /**
   * Set: the client's Host header goes upstream instead of the URL's host and port (absent rather
   * than false, so tables without it keep their version).
   */
  readonly preserveHost?: true;
}

export interface GrpcUpstreamModel {
  readonly kind: 'grpc';
  readonly name: string;
  /** grpc-js target, e.g. `dns:///rpc-app-1-headless:6000`. */
  readonly target: string;
  /** Absolute paths of the .proto files of its services. */
  readonly protos: readonly string[];
  /** Whether routes are also taken from the `google.api.http` annotations of those services. */
  readonly httpRulesFromProtos: boolean;
  readonly traffic: UpstreamTraffic;
}

export type UpstreamModel = HttpUpstreamModel | GrpcUpstreamModel;

/** The whole of the gateway's routing: what one reload replaces at once. */
export interface RouteTable {
  /** Sorted by name. */
  readonly upstreams: readonly UpstreamModel[];
  /**
   * Sorted by name: matching goes by path specificity, then each route's `order`, never by the
   * position in this list (docs/adr/0008-route-model.md).
   */
  readonly routes: readonly Route[];
  /**
   * Annotated methods that became no route (sorted by upstream, then method), for the gateway to
   * log at load; createRouteTable always sets it (optional only for hand-written tables).
   */
  readonly skipped?: readonly SkippedMethod[];
  /**
   * How a request is answered when routes take its host and path but none its method: absent, 405
   * with `Allow` naming those that do (the route file); `not-found`, 404 - no route matches, as
   * the Gateway API has it.
   */
  readonly methodMiss?: 'not-found';
  /**
   * Stable hash of the content above and of the listed .proto files' contents: equal tables,
   * equal versions; an edited .proto gives a new one.
   */
  readonly version: string;
}
