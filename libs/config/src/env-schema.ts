import { isIP } from 'node:net';
import { z } from 'zod';
import { routeLimits } from './route-limits';
import { authEnv, checkEdgeConfig, corsEnv, grpcServerEnv, httpEdgeEnv, tlsEnv } from './edge-env';

/**
 * The one schema of every environment variable the apps read. Names are the contract between the
 * apps, the Helm chart, the tests and the docs (see DESIGN.md): add freely, rename never.
 */

const port = z.coerce.number().int().min(1).max(65535);
const nonNegativeInt = z.coerce.number().int().min(0);
const positiveInt = z.coerce.number().int().min(1);
const percent = z.coerce.number().min(0).max(100);

/** Comma-separated list, blanks dropped. */
const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** `http://host[:port][/base]`, one or more, comma-separated. */
const httpUrlList = z
  .string()
  .min(1)
  .refine(
    (value) =>
      list(value).length > 0 &&
      list(value).every((item) => URL.canParse(item) && new URL(item).protocol === 'http:'),
    { message: 'expected one or more comma-separated http:// URLs' },
  );

/** DNS server addresses as c-ares takes them: `1.2.3.4`, `1.2.3.4:53`, `::1` or `[::1]:53`. */
const dnsServerList = z
  .string()
  .default('')
  .refine((value) => list(value).every(isDnsServer), {
    message: 'expected comma-separated IP addresses, each with an optional :port',
  })
  .transform(list);

function isDnsServer(item: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(item);
  if (bracketed)
    return isIP(bracketed[1]) === 6 && (!bracketed[2] || Number(bracketed[2]) <= 65535);
  if (isIP(item)) return true;
  const [host, port, ...rest] = item.split(':');
  return rest.length === 0 && isIP(host) === 4 && /^\d{1,5}$/.test(port) && Number(port) <= 65535;
}

/** Variables every app reads. Ports default per app, so they are added by each app's schema. */
export const commonEnv = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Readiness is 503 for this long after SIGTERM before listeners close (endpoint propagation). */
  SHUTDOWN_DRAIN_DELAY_MS: nonNegativeInt.default(5000),
  /** Upper bound for in-flight work to finish once listeners close; then the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(20000),
});

/**
 * Fault injection for the backends: added latency on every request. For drain, timeout and
 * chaos tests; leave at 0 in production.
 */
const faultEnv = {
  FAULT_DELAY_MS: nonNegativeInt.max(60_000).default(0),
};

export const webappEnv = commonEnv.extend({
  PORT: port.default(5000),
  ADMIN_PORT: port.default(9001),
  ...faultEnv,
});

export const rpcAppEnv = commonEnv.extend({
  PORT: port.default(6000),
  ADMIN_PORT: port.default(9002),
  ...faultEnv,
  /**
   * Connections older than this get a GOAWAY, so clients re-resolve DNS and spread over replicas
   * added since they connected (grpc-js does not poll DNS by itself).
   */
  GRPC_MAX_CONNECTION_AGE_MS: positiveInt.default(30000),
  /** Time calls in flight on an aged-out connection get to finish before it is closed. */
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: positiveInt.default(10000),
  ...grpcServerEnv,
});

export const gatewayEnv = commonEnv
  .extend({
    PORT: port.default(8000),
    ADMIN_PORT: port.default(9000),
    /** webapp-1 base URL, or a comma-separated list of them (one per replica or per DNS name). */
    WEBAPP_URL: httpUrlList.default('http://localhost:5000'),
    /** grpc-js target for rpc-app-1, e.g. dns:///rpc-app-1-headless:6000 or ipv4:a:6000,b:6000. */
    RPC_TARGET: z.string().min(1).default('dns:///localhost:6000'),
    /** Total time budget of one call to webapp-1, retries included. */
    WEBAPP_TIMEOUT_MS: positiveInt.default(5000),
    /** Deadline set on every VerifyUser call. */
    RPC_TIMEOUT_MS: positiveInt.default(5000),

    // Traffic management (README "Traffic management"): discovery, retries, breakers, ejection.
    /** DNS servers for upstream names (WEBAPP_URL hosts); empty = the system resolver. */
    DNS_SERVERS: dnsServerList,
    /**
     * grpc-js's own switch (it reads the variable itself): resolve with c-ares, which honours a DNS
     * server named in RPC_TARGET (`dns://<server>/<name>:<port>`). Off = the system resolver.
     */
    GRPC_NODE_USE_ALTERNATIVE_RESOLVER: z.enum(['true', 'false']).default('false'),
    /** webapp-1 names are re-resolved this often; rpc-app-1's at most this often (on reconnects). */
    UPSTREAM_DNS_REFRESH_MS: positiveInt.default(5000),
    /**
     * A starting gateway is not ready until every upstream has an endpoint (a resolved webapp-1
     * address, a connected rpc-app-1 channel), or until this long after its listeners are up.
     */
    UPSTREAM_WARMUP_TIMEOUT_MS: positiveInt.default(15000),
    /** Time to establish one TCP connection to a webapp-1 replica. */
    WEBAPP_CONNECT_TIMEOUT_MS: positiveInt.default(1000),
    /** Attempts per call, the first included (retries go to a different replica). gRPC caps it at 5. */
    RETRY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(5).default(3),
    /** Each successful call earns this percent of a retry: retries add at most this much load. */
    RETRY_BUDGET_PERCENT: z.coerce.number().min(0.1).max(100).default(20),
    /** Size of the retry token bucket; retries stop while it is half empty (burst = half of it). */
    RETRY_BUDGET_MAX_TOKENS: z.coerce.number().int().min(2).max(1000).default(20),
    /** The breaker opens when more than this percent of calls in the window failed ... */
    BREAKER_ERROR_THRESHOLD_PERCENT: z.coerce.number().min(1).max(100).default(50),
    /** ... and the window holds at least this many calls. */
    BREAKER_VOLUME_THRESHOLD: positiveInt.default(20),
    /** Rolling window of the breaker's statistics. */
    BREAKER_WINDOW_MS: z.coerce.number().int().min(100).default(10000),
    /** An open breaker lets one trial call through after this long. */
    BREAKER_RESET_TIMEOUT_MS: positiveInt.default(10000),
    /** Consecutive failures (reset, timeout, 5xx) that eject a webapp-1 replica; refusals eject at once. */
    OUTLIER_CONSECUTIVE_FAILURES: positiveInt.default(5),
    /** rpc-app-1: how often per-replica failure rates are evaluated; both: ejection-count decay period. */
    OUTLIER_INTERVAL_MS: positiveInt.default(10000),
    /** First ejection of a replica lasts this long; each repeated ejection adds as much again ... */
    OUTLIER_BASE_EJECTION_MS: positiveInt.default(5000),
    /** ... up to this (also caps rpc-app-1's reconnect backoff). */
    OUTLIER_MAX_EJECTION_MS: positiveInt.default(30000),
    /** At most this share of an upstream's replicas is ejected at once (at least one may be). */
    OUTLIER_MAX_EJECTION_PERCENT: percent.default(50),

    // Rate limiting (README "Rate limiting"): shared store, identity, limits.
    /** Shared rate-limit store, redis:// or rediss:// (TLS); unset = an in-memory store per gateway. */
    REDIS_URL: z
      .url({ protocol: /^rediss?$/, message: 'expected a redis:// or rediss:// URL' })
      .optional(),
    /** Redis password (e.g. from a Secret); takes precedence over one in REDIS_URL. */
    REDIS_PASSWORD: z.string().optional(),
    /** Requests one client may make per window, on every route without its own limit. */
    RATE_LIMIT_LIMIT: positiveInt.default(1000),
    RATE_LIMIT_WINDOW_MS: positiveInt.default(1000),
    /** Per-route limits with their own budget, e.g. `/verify=20/1000,/projects=200` (see README). */
    RATE_LIMIT_ROUTES: routeLimits.default([]),
    /** Proxies in front of the gateway that append to X-Forwarded-For; 0 = use the socket address. */
    RATE_LIMIT_TRUSTED_PROXY_HOPS: nonNegativeInt.default(0),
    /** While Redis is unreachable, each gateway enforces this share of every limit on its own. */
    RATE_LIMIT_LOCAL_SHARE: z.coerce
      .number()
      .gt(0, 'expected a number greater than 0 and at most 1')
      .max(1, 'expected a number greater than 0 and at most 1')
      .default(1),
    /** Budget of one Redis call; past it the request is decided locally and the store marked down. */
    RATE_LIMIT_REDIS_TIMEOUT_MS: positiveInt.default(100),

    // Edge security (README "Edge security"): slow clients, body limit, CORS, authentication.
    ...httpEdgeEnv,
    ...corsEnv,
    ...authEnv,
    ...tlsEnv,
  })
  .superRefine(checkEdgeConfig)
  .superRefine((config, context) => {
    // grpc-js silently ignores a DNS server in the target unless its alternative resolver is on.
    if (
      /^dns:\/\/[^/]/.test(config.RPC_TARGET) &&
      config.GRPC_NODE_USE_ALTERNATIVE_RESOLVER !== 'true'
    )
      context.addIssue({
        code: 'custom',
        path: ['RPC_TARGET'],
        message:
          'names a DNS server, which grpc-js only uses with GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true',
      });
  });

export type CommonConfig = z.infer<typeof commonEnv>;
export type WebappConfig = z.infer<typeof webappEnv>;
export type RpcAppConfig = z.infer<typeof rpcAppEnv>;
export type GatewayConfig = z.infer<typeof gatewayEnv>;
