import { AUTH_SCHEMES } from '@app/auth/env';
import { z } from 'zod';
import { bodySchemaProblem } from './body-schema';
import { HTTP_METHODS, REDIRECT_STATUS_CODES } from './route-model';
import { pathProblem, type PathKind } from './route-path';

/**
 * The route file (ROUTES_FILE, YAML or JSON): this one schema validates it and, through its
 * descriptions, documents it - docs/route-file.md is rendered from it (route-file-doc.ts). Fields
 * left out take the gateway's global settings (route-defaults.ts), so none has a default here.
 */

const NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;
const NAME_RULE =
  'expected 1-63 lower-case letters, digits, ".", "_" or "-", starting and ending with a letter or digit';
const name = z.string().regex(NAME, NAME_RULE);

const positiveMs = z.int().min(1);

const path = (kind: PathKind) =>
  z.string().superRefine((value, ctx) => {
    const problem = pathProblem(value, kind);
    if (problem !== undefined)
      ctx.addIssue({ code: 'custom', message: `${problem} (got ${JSON.stringify(value)})` });
  });

const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerName = z.string().regex(HEADER_NAME, 'expected an HTTP header name');
// RFC 6749 scope tokens, as AUTH_ROUTES takes them.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

const httpUrl = z.string().superRefine((value, ctx) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url?.protocol !== 'http:' || url.search !== '' || url.hash !== '')
    ctx.addIssue({
      code: 'custom',
      message: `expected an http:// URL without query or fragment (got ${JSON.stringify(value)})`,
    });
});

const pathMatch = z
  .strictObject({
    exact: path('exact').optional().describe('Only this path, e.g. `/projects`.'),
    prefix: path('prefix')
      .optional()
      .describe(
        'This path and every path below it, by whole segments: `/api` takes `/api/x`, not `/apix`.',
      ),
    template: path('template')
      .optional()
      .describe('Whole segments, `{name}` standing for any one segment, e.g. `/orders/{id}`.'),
    trailingSlash: z
      .enum(['ignore', 'strict'])
      .optional()
      .describe(
        'exact or prefix: `strict` passes the request path on with its trailing slash as received, and an exact path then takes the path only as written (`/a` not `/a/`, `/a/` not `/a`), as Gateway API matches do. Left out: `ignore`, one trailing slash ignored and dropped from the path sent upstream.',
      ),
  })
  .refine(
    (value) =>
      [value.exact, value.prefix, value.template].filter((p) => p !== undefined).length === 1,
    'expected exactly one of exact, prefix, template',
  )
  .refine((value) => value.trailingSlash === undefined || value.template === undefined, {
    message: 'only with exact or prefix',
    path: ['trailingSlash'],
  })
  .describe(
    'Which paths the route takes (exactly one kind); one trailing slash is ignored unless `trailingSlash: strict`.',
  );

// A field value as the request parser leaves it: one line, no whitespace around it.
const headerValue = z
  .string()
  .regex(
    /^[^\s](?:[^\r\n]*[^\s])?$/,
    'expected a header value on one line, without leading or trailing whitespace',
  );

// What Node accepts in a header value it sends (no control characters but tab).
const editValue = z
  .string()
  .regex(/^[\t\x20-\x7e\x80-\xff]*$/, 'expected a header value on one line');

const headerEdits = (what: string) =>
  z
    .strictObject({
      set: z
        .record(headerName, editValue)
        .optional()
        .describe(`Headers set on ${what}, name: value, replacing any value they had.`),
      add: z
        .record(headerName, editValue)
        .optional()
        .describe(
          `Headers added to ${what}, name: value: appended to a value the header has (\`a\` becomes \`a,b\`), else set.`,
        ),
      remove: z.array(headerName).optional().describe(`Headers removed from ${what}.`),
    })
    .optional();

const hostname = z
  .string()
  .regex(HOST, 'expected a host name')
  .refine((value) => !value.startsWith('*.'), 'expected a host name, not a wildcard');

// Gateway API's HTTPPathModifier, as redirects and rewrites take it.
const pathModifier = z
  .strictObject({
    full: path('exact').optional().describe('The whole new path, e.g. `/v2/orders`.'),
    prefix: path('prefix')
      .optional()
      .describe(
        'Replaces the prefix the route matched (prefix routes only, by whole segments): with `match.path.prefix: /old`, `prefix: /new` sends `/old/a` to `/new/a`.',
      ),
  })
  .refine(
    (value) => (value.full === undefined) !== (value.prefix === undefined),
    'expected exactly one of full, prefix',
  )
  .optional();

const redirect = z
  .strictObject({
    scheme: z
      .enum(['http', 'https'])
      .optional()
      .describe("Scheme of the `Location`. Left out: the request's."),
    hostname: hostname
      .optional()
      .describe("Host name of the `Location`. Left out: the request's (its Host header)."),
    port: z
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe(
        "Port of the `Location`. Left out: 80 or 443 when `scheme` is given, else the request's port; 80 with http and 443 with https are left out of the `Location`.",
      ),
    path: pathModifier.describe("New path (exactly one kind). Left out: the request's path."),
    statusCode: z
      .union(
        REDIRECT_STATUS_CODES.map((code) => z.literal(code)),
        { error: `expected ${REDIRECT_STATUS_CODES.join(', ')}` },
      )
      // Its type in docs/route-file.md, which renders no union.
      .meta({ title: REDIRECT_STATUS_CODES.join(', ') })
      .optional()
      .describe('Status of the answer. Left out: 302.'),
  })
  .optional()
  .describe(
    "Makes the route a redirect: the gateway answers it with this status and a `Location` that is the request's URL (query string included) with the given parts replaced, and calls no upstream. A route has either `upstream` or `redirect`.",
  );

const respond = z
  .strictObject({
    status: z.number().int().min(400).max(599).describe('Status of the answer, 400-599.'),
    message: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\r\n]*$/, 'expected one line')
      .describe("The JSON error body's `message`: what the client is told."),
  })
  .optional()
  .describe(
    "Makes the route answered by the gateway itself with this error status and the stack's JSON error body, calling no upstream (a retired path's 410; the Gateway API's 500 for a rule whose backends are all invalid). A route has one of `upstream`, `redirect`, `respond`.",
  );

const rewrite = z
  .strictObject({
    path: pathModifier.describe(
      "New path sent upstream (exactly one kind), before the upstream's own `rewrite`. Left out: the request's path.",
    ),
    hostname: hostname
      .optional()
      .describe(
        "Host header sent upstream. Left out: the replica's own (its URL's host and port).",
      ),
  })
  .refine(
    (value) => value.path !== undefined || value.hostname !== undefined,
    'expected path or hostname',
  )
  .optional()
  .describe(
    'http upstreams only: rewrites what is sent upstream (the query string is kept). Not with `redirect`.',
  );

const route = z
  .strictObject({
    name: name.describe('Unique name of the route: in errors, logs and metrics.'),
    match: z
      .strictObject({
        methods: z
          .array(z.enum(HTTP_METHODS))
          .min(1)
          .describe(`HTTP methods the route takes, upper case: ${HTTP_METHODS.join(', ')}.`),
        path: pathMatch,
        hosts: z
          .array(
            z.string().regex(HOST, 'expected a host name, or *.<domain> for any name below it'),
          )
          .optional()
          .describe(
            'Host names the route takes (`*.example.com`: any name below it, `a.example.com` or `a.b.example.com`; the longest wildcard wins); left out: any host.',
          ),
        // A map, not a list of {name, value}: it reads as the request's own headers do, and one
        // header has one value to equal, so a name given twice (which YAML refuses) means nothing.
        headers: z
          .record(headerName, headerValue)
          .optional()
          .describe(
            'Request headers the route requires, name: exact value (e.g. `{ x-tenant: blue }`), all of them. Names ignore case, values do not; a header sent on several lines is compared as its values joined by `, `. Left out: any headers.',
          ),
        query: z
          .record(z.string().min(1), z.string().min(1))
          .optional()
          .describe(
            'Query parameters the route requires, name: exact value after percent-decoding (e.g. `{ version: "2" }`), all of them. Names and values are case-sensitive; a parameter given twice is compared by its first value. Left out: any query.',
          ),
        scheme: z
          .enum(['http', 'https'])
          .optional()
          .describe(
            "How the request reached the gateway: `https` only over TLS the gateway terminated itself (its TLS listener, a Gateway API HTTPS listener), `http` only in plain text - e.g. a plain route that redirects to https beside the https route of the same path. Left out: either. TLS ended before the gateway (a load balancer's) is `http` here.",
          ),
      })
      .describe(
        'Which requests the route takes. The most specific path wins: exact, then template, then the longest prefix; a named host before any host. Routes on the same path, methods and hosts that differ by `headers` or `query` are tried with more header conditions first, then more query conditions, then by name; the first whose conditions hold takes the request, and a request none of them takes goes on to the next less specific path.',
      ),
    upstream: name
      .optional()
      .describe(
        'Name of the upstream (under `upstreams`) that serves the route; required unless `backends`, `redirect` or `respond` is given.',
      ),
    backends: z
      .array(
        z.strictObject({
          upstream: name
            .optional()
            .describe(
              'Name of an http upstream (under `upstreams`); one of `upstream`, `respond`.',
            ),
          respond: respond.describe(
            "Instead of `upstream`: this share is answered by the gateway itself with this status and the stack's JSON error body (the Gateway API's 500 for the share of a backendRef that does not resolve; a fault-injection share).",
          ),
          weight: z
            .number()
            .int()
            .min(0)
            .max(1_000_000)
            .describe('Its share of the requests, relative to the others; 0: none.'),
          requestHeaders: headerEdits('the requests sent to this upstream').describe(
            "Edits of the requests this upstream gets, with the route's own `requestHeaders` (a header is edited by one of them only). Same rules as the route's.",
          ),
          responseHeaders: headerEdits("this upstream's answers").describe(
            "Edits of this upstream's answers, with the route's own `responseHeaders` (a header is edited by one of them only). Same rules as the route's.",
          ),
        }),
      )
      .min(1)
      .optional()
      .describe(
        "Instead of `upstream`: http upstreams sharing the route's requests, each request sent to one of them at random in proportion to its weight (a canary's 90/10); a share may be answered by the gateway itself (`respond`). Policies, timeouts and retries are the first upstream's; retries stay with the upstream a request went to.",
      ),
    redirect,
    respond,
    rewrite,
    requestHeaders: headerEdits('the request sent upstream').describe(
      "http upstreams only: edits of the request sent upstream, after the upstream's own `headers`: `remove`, then `set`, then `add`. Names ignore case; a name may appear in one of them only; hop-by-hop headers, `host`, `content-length` and `x-request-id` are refused (the gateway owns them).",
    ),
    responseHeaders: headerEdits('the answer').describe(
      "Edits of the answer the client gets - the upstream's answer as passed on (a grpc route's JSON answer), or the redirect - not the gateway's own error answers: `remove`, then `set`, then `add`. Same rules on names as `requestHeaders`.",
    ),
    grpc: z
      .strictObject({
        service: z
          .string()
          .regex(
            /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/,
            'expected a fully qualified service, e.g. pkg.Service',
          )
          .describe('Fully qualified service name, e.g. `userverify.UserVerify`.'),
        method: z
          .string()
          .regex(/^[A-Za-z_]\w*$/, 'expected a method name, e.g. VerifyUser')
          .describe('Method name, e.g. `VerifyUser`.'),
      })
      .optional()
      .describe(
        'gRPC upstreams only, and required there: the unary method the route calls with the JSON body as its request.',
      ),
    auth: z
      .strictObject({
        scheme: z
          .enum(AUTH_SCHEMES)
          .describe('`none`, `api-key` or `jwt` (docs/edge-security.md).'),
        scopes: z
          .array(z.string().regex(SCOPE, 'expected an OAuth scope token'))
          .optional()
          .describe('jwt only: scopes the token must all carry.'),
      })
      .optional()
      .describe('Authentication, as AUTH_ROUTES has it. Left out: AUTH_DEFAULT.'),
    rateLimit: z
      .strictObject({
        limit: z.int().min(1).describe('Requests one client may make per window.'),
        windowMs: positiveMs.optional().describe('Window length. Left out: RATE_LIMIT_WINDOW_MS.'),
      })
      .optional()
      .describe(
        "A rate-limit budget of the route's own, as RATE_LIMIT_ROUTES has it. Left out: the default budget (RATE_LIMIT_LIMIT per RATE_LIMIT_WINDOW_MS) shared by every such route.",
      ),
    timeoutMs: positiveMs
      .optional()
      .describe(
        "Total time budget of one call, retries included (504 past it). Left out: the upstream's `traffic.timeoutMs`.",
      ),
    retry: z
      .strictObject({
        idempotent: z
          .boolean()
          .optional()
          .describe(
            'Whether a call may run twice, so that it is retried even after a replica may have read it. Left out: true when every method is idempotent by RFC 9110 (GET, HEAD, OPTIONS, PUT, DELETE).',
          ),
        maxAttempts: z
          .int()
          .min(1)
          .max(5)
          .optional()
          .describe(
            "Attempts per call, the first included (1-5). Left out: the upstream's `traffic.retry.maxAttempts`.",
          ),
        perTryTimeoutMs: positiveMs
          .optional()
          .describe(
            "Idempotent routes only: longest one attempt waits before it is abandoned and retried on another replica, within `timeoutMs` (a replica that hangs costs a retry, not the deadline). Left out: the upstream's `traffic.retry.perTryTimeoutMs`.",
          ),
      })
      .optional()
      .describe(
        "Retries of the route's calls; attempts that never reached a replica are retried either way.",
      ),
    bodyLimitBytes: z
      .int()
      .min(1)
      .optional()
      .describe('Largest request body; a larger one gets 413. Left out: HTTP_BODY_LIMIT_BYTES.'),
    bodySchema: z
      .record(z.string(), z.unknown())
      .superRefine((schema, ctx) => {
        const problem = bodySchemaProblem(schema);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      // Its type in docs/route-file.md: any object is a map, but this one is read as a schema.
      .meta({ title: 'JSON Schema' })
      .optional()
      .describe(
        "JSON Schema (draft 2020-12) the request body must satisfy before any upstream is called; otherwise 400 naming the first field at fault (`id must be an integer`). Only local `$ref`s (`#/...`). Left out: the body is not checked here (a grpc route's body is still translated by its message type).",
      ),
  })
  .describe('One route: which requests, to which upstream, under which policies.');

const traffic = z
  .strictObject({
    timeoutMs: positiveMs
      .optional()
      .describe(
        'Total time budget of one call, retries included. Left out: WEBAPP_TIMEOUT_MS (http) or RPC_TIMEOUT_MS (grpc).',
      ),
    connectTimeoutMs: positiveMs
      .optional()
      .describe(
        'http only: time to open one connection to a replica. Left out: WEBAPP_CONNECT_TIMEOUT_MS.',
      ),
    retry: z
      .strictObject({
        maxAttempts: z
          .int()
          .min(1)
          .max(5)
          .optional()
          .describe('Attempts per call, the first included (1-5). Left out: RETRY_MAX_ATTEMPTS.'),
        budgetPercent: z
          .number()
          .min(0.1)
          .max(100)
          .optional()
          .describe(
            'Percent of a retry each successful call earns. Left out: RETRY_BUDGET_PERCENT.',
          ),
        budgetMaxTokens: z
          .int()
          .min(2)
          .max(1000)
          .optional()
          .describe('Size of the retry token bucket. Left out: RETRY_BUDGET_MAX_TOKENS.'),
        perTryTimeoutMs: positiveMs
          .optional()
          .describe(
            "Per-try timeout of the upstream's idempotent routes. Left out: RETRY_PER_TRY_TIMEOUT_MS.",
          ),
      })
      .optional()
      .describe('Retries and their budget (docs/traffic.md).'),
    breaker: z
      .strictObject({
        consecutiveUnavailable: z
          .int()
          .min(1)
          .optional()
          .describe(
            'Calls in a row that reached no replica and open the breaker at once. Left out: BREAKER_CONSECUTIVE_UNAVAILABLE.',
          ),
        errorThresholdPercent: z
          .number()
          .min(1)
          .max(100)
          .optional()
          .describe(
            "Failed share of the window's calls that opens the breaker. Left out: BREAKER_ERROR_THRESHOLD_PERCENT.",
          ),
        volumeThreshold: z
          .int()
          .min(1)
          .optional()
          .describe(
            'Calls the window must hold for that share to count. Left out: BREAKER_VOLUME_THRESHOLD.',
          ),
        windowMs: z
          .int()
          .min(100)
          .optional()
          .describe("Rolling window of the breaker's statistics. Left out: BREAKER_WINDOW_MS."),
        resetTimeoutMs: positiveMs
          .optional()
          .describe(
            'An open breaker lets one trial call through after this long. Left out: BREAKER_RESET_TIMEOUT_MS.',
          ),
      })
      .optional()
      .describe("The upstream's circuit breaker."),
    outlier: z
      .strictObject({
        consecutiveFailures: z
          .int()
          .min(1)
          .optional()
          .describe(
            'Failures in a row (timeouts included) that eject a replica. Left out: WEBAPP_OUTLIER_CONSECUTIVE_FAILURES.',
          ),
        intervalMs: positiveMs
          .optional()
          .describe('Interval of the failure-percentage rule. Left out: OUTLIER_INTERVAL_MS.'),
        baseEjectionMs: positiveMs
          .optional()
          .describe('First ejection of a replica. Left out: OUTLIER_BASE_EJECTION_MS.'),
        maxEjectionMs: positiveMs
          .optional()
          .describe(
            'Longest ejection, at least baseEjectionMs. Left out: OUTLIER_MAX_EJECTION_MS.',
          ),
        maxEjectionPercent: z
          .number()
          .min(0)
          .max(100)
          .optional()
          .describe(
            'Largest share of replicas ejected at once. Left out: OUTLIER_MAX_EJECTION_PERCENT.',
          ),
      })
      .optional()
      .describe("Outlier ejection of the upstream's replicas."),
    keepalive: z
      .strictObject({
        timeMs: positiveMs
          .optional()
          .describe(
            'An HTTP/2 ping after this long without one, idle connections too. Left out: RPC_KEEPALIVE_TIME_MS.',
          ),
        timeoutMs: positiveMs
          .optional()
          .describe(
            'A ping unanswered this long closes the connection. Left out: RPC_KEEPALIVE_TIMEOUT_MS.',
          ),
      })
      .optional()
      .describe('grpc only: keepalive pings that drop a connection to a replica that hangs.'),
  })
  .optional()
  .describe(
    "Traffic policy of the upstream; each field left out takes the gateway's global setting (docs/configuration.md).",
  );

const upstream = z
  .strictObject({
    kind: z.enum(['http', 'grpc']).describe('`http` (JSON over HTTP/1.1) or `grpc`.'),
    urls: z
      .array(httpUrl)
      .min(1)
      .optional()
      .describe(
        'http only, required: base URLs, `http://host[:port][/base]`; each name is resolved to all its addresses, as WEBAPP_URL.',
      ),
    rewrite: z
      .strictObject({
        prefix: path('prefix').describe('Leading path (whole segments) of the request to replace.'),
        replacement: path('prefix').describe('What replaces it, e.g. `/create`.'),
      })
      .optional()
      .describe(
        'http only: rewrites the request path before it is appended to the base URL. Left out: the path as requested.',
      ),
    headers: z
      .strictObject({
        add: z
          .record(headerName, z.string().regex(/^[^\r\n]*$/, 'expected a header value on one line'))
          .optional()
          .describe('Request headers set on every call, name: value.'),
        remove: z
          .array(headerName)
          .optional()
          .describe('Request headers removed before every call.'),
      })
      .optional()
      .describe('http only: request headers to add or remove.'),
    preserveHost: z
      .boolean()
      .optional()
      .describe(
        "http only: `true` sends the client's Host header upstream (virtual-hosted backends; the Gateway API's way) instead of the upstream URL's host and port. Left out: false.",
      ),
    target: z
      .string()
      .min(1)
      .optional()
      .describe(
        'grpc only, required: grpc-js target, e.g. `dns:///rpc-app-1-headless:6000`, as RPC_TARGET.',
      ),
    protos: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        "grpc only, required: .proto files of the upstream's services (the gateway translates JSON with their message types), relative to the route file.",
      ),
    httpRulesFromProtos: z
      .boolean()
      .optional()
      .describe(
        'grpc only: also route every `google.api.http` rule (and additional binding) of those services, as `<upstream>.<method in lower case>[.<n>]`, with the default policies; see the rules above. Left out: false.',
      ),
    traffic,
  })
  .describe('One upstream: where calls go and how they are treated.');

export const routeFileFields = z.strictObject({
  formatVersion: z
    .literal(1)
    .describe(
      "Version of the file format: 1 (the table's own `version` is a hash of its content).",
    ),
  upstreams: z
    .record(name, upstream)
    .describe('The upstreams, by name (1-63 lower-case letters, digits, `.`, `_`, `-`).'),
  routes: z
    .array(route)
    .describe('The routes; their order in the file carries no meaning (see `match`).'),
});

export type RouteFile = z.infer<typeof routeFileFields>;
export type RouteFileRoute = RouteFile['routes'][number];
export type RouteFileUpstream = RouteFile['upstreams'][string];
