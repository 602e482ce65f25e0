import { commaSeparated, percent, positiveInt } from '@app/env';
import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * The gateway's upstream and traffic-management variables (docs/traffic.md): this
 * library's part of the gateway's environment schema, which libs/config/src/env-schema.ts
 * assembles. Only zod here: the config library imports this file (as '@app/upstream/env');
 * trafficPolicy (traffic-policy.ts) turns the validated values into this library's options.
 */

/** `http://host[:port][/base]`, one or more, comma-separated. */
const httpUrlList = z
  .string()
  .min(1)
  .refine(
    (value) =>
      commaSeparated(value).length > 0 &&
      commaSeparated(value).every(
        (item) => URL.canParse(item) && new URL(item).protocol === 'http:',
      ),
    { message: 'expected one or more comma-separated http:// URLs' },
  );

/** DNS server addresses as c-ares takes them: `1.2.3.4`, `1.2.3.4:53`, `::1` or `[::1]:53`. */
const dnsServerList = z
  .string()
  .default('')
  .refine((value) => commaSeparated(value).every(isDnsServer), {
    message: 'expected comma-separated IP addresses, each with an optional :port',
  })
  .transform(commaSeparated);

function isDnsServer(item: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(item);
  if (bracketed)
    return isIP(bracketed[1]) === 6 && (!bracketed[2] || Number(bracketed[2]) <= 65535);
  if (isIP(item)) return true;
  const [host, port, ...rest] = item.split(':');
  return rest.length === 0 && isIP(host) === 4 && /^\d{1,5}$/.test(port) && Number(port) <= 65535;
}

export const upstreamEnv = {
  /** webapp-1 base URL, or a comma-separated list of them (one per replica or per DNS name). */
  WEBAPP_URL: httpUrlList.default('http://localhost:5000'),
  /** grpc-js target for rpc-app-1, e.g. dns:///rpc-app-1-headless:6000 or ipv4:a:6000,b:6000. */
  RPC_TARGET: z.string().min(1).default('dns:///localhost:6000'),
  /** Total time budget of one call to webapp-1, retries included. */
  WEBAPP_TIMEOUT_MS: positiveInt.default(5000),
  /** Deadline set on every VerifyUser call. */
  RPC_TIMEOUT_MS: positiveInt.default(5000),
  /** rpc-app-1 connections: an HTTP/2 ping after this long without one, idle connections too. */
  RPC_KEEPALIVE_TIME_MS: positiveInt.default(10000),
  /** ... and a ping unanswered this long closes the connection: a replica that hangs is dropped. */
  RPC_KEEPALIVE_TIMEOUT_MS: positiveInt.default(5000),

  // Traffic management: discovery, retries, breakers, ejection.
  /** DNS servers for upstream names (WEBAPP_URL hosts); empty = the system resolver. */
  DNS_SERVERS: dnsServerList,
  /**
   * grpc-js's own switch (it reads the variable itself): resolve with c-ares, which honours a DNS
   * server named in RPC_TARGET (`dns://<server>/<name>:<port>`). Off = the system resolver.
   */
  GRPC_NODE_USE_ALTERNATIVE_RESOLVER: z.enum(['true', 'false']).default('false'),
  /** Upstream names (webapp-1's and rpc-app-1's) are re-resolved this often. */
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
  /**
   * Idempotent calls (VerifyUser, GET routes): longest one attempt waits before it is abandoned and
   * retried on another replica, within the call's timeout - a replica that hangs costs a retry,
   * not the deadline. Above the call's timeout it changes nothing.
   */
  RETRY_PER_TRY_TIMEOUT_MS: positiveInt.default(2000),
  /** Each successful call earns this percent of a retry: retries add at most this much load. */
  RETRY_BUDGET_PERCENT: z.coerce.number().min(0.1).max(100).default(20),
  /** Size of the retry token bucket; retries stop while it is half empty (burst = half of it). */
  RETRY_BUDGET_MAX_TOKENS: z.coerce.number().int().min(2).max(1000).default(20),
  /** This many calls in a row that reached no replica open the breaker at once (total outage). */
  BREAKER_CONSECUTIVE_UNAVAILABLE: positiveInt.default(5),
  /** The breaker opens when more than this percent of calls in the window failed ... */
  BREAKER_ERROR_THRESHOLD_PERCENT: z.coerce.number().min(1).max(100).default(50),
  /** ... and the window holds at least this many calls. */
  BREAKER_VOLUME_THRESHOLD: positiveInt.default(20),
  /** Rolling window of the breaker's statistics. */
  BREAKER_WINDOW_MS: z.coerce.number().int().min(100).default(10000),
  /** An open breaker lets one trial call through after this long. */
  BREAKER_RESET_TIMEOUT_MS: positiveInt.default(10000),
  /**
   * Failures in a row that eject a replica, of either upstream (the name is historical): reset,
   * timeout, 5xx; for rpc-app-1 UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, DATA_LOSS.
   */
  WEBAPP_OUTLIER_CONSECUTIVE_FAILURES: positiveInt.default(5),
  /** Every interval, replicas failing at least half of 10+ calls are ejected; an ejection is forgotten per healthy interval. */
  OUTLIER_INTERVAL_MS: positiveInt.default(10000),
  /** First ejection of a replica lasts this long; each repeated ejection adds as much again ... */
  OUTLIER_BASE_EJECTION_MS: positiveInt.default(5000),
  /** ... up to this (also caps rpc-app-1's reconnect backoff). */
  OUTLIER_MAX_EJECTION_MS: positiveInt.default(30000),
  /** At most this share of an upstream's replicas is ejected at once (at least one may be). */
  OUTLIER_MAX_EJECTION_PERCENT: percent.default(50),
};

/** The validated upstream settings: what this library's modules read from APP_CONFIG. */
export type UpstreamEnv = z.infer<z.ZodObject<typeof upstreamEnv>>;

/** grpc-js silently ignores a DNS server in the target unless its alternative resolver is on. */
export function checkRpcTarget(
  config: { RPC_TARGET: string; GRPC_NODE_USE_ALTERNATIVE_RESOLVER: string },
  context: z.RefinementCtx,
): void {
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
}
