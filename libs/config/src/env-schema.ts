import { z } from 'zod';
import { routeLimits } from './route-limits';

/**
 * The one schema of every environment variable the apps read. Names are the contract between the
 * apps, the Helm chart, the tests and the docs (see DESIGN.md): add freely, rename never.
 */

const port = z.coerce.number().int().min(1).max(65535);
const nonNegativeInt = z.coerce.number().int().min(0);
const positiveInt = z.coerce.number().int().min(1);

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
});

export const gatewayEnv = commonEnv.extend({
  PORT: port.default(8000),
  ADMIN_PORT: port.default(9000),
  /** webapp-1 base URL, or a comma-separated list of them (one per replica or per DNS name). */
  WEBAPP_URL: z.string().min(1).default('http://localhost:5000'),
  /** grpc-js target for rpc-app-1, e.g. dns:///rpc-app-1-headless:6000 or ipv4:a:6000,b:6000. */
  RPC_TARGET: z.string().min(1).default('dns:///localhost:6000'),
  /** Total time budget of one call to webapp-1, retries included. */
  WEBAPP_TIMEOUT_MS: positiveInt.default(5000),
  /** Deadline set on every VerifyUser call. */
  RPC_TIMEOUT_MS: positiveInt.default(5000),
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
});

export type CommonConfig = z.infer<typeof commonEnv>;
export type WebappConfig = z.infer<typeof webappEnv>;
export type RpcAppConfig = z.infer<typeof rpcAppEnv>;
export type GatewayConfig = z.infer<typeof gatewayEnv>;
