import { rateLimitEnv } from '@app/ratelimit/env';
import { checkRpcTarget, upstreamEnv } from '@app/upstream/env';
import { z } from 'zod';
import { authEnv, checkEdgeConfig, corsEnv, grpcServerEnv, httpEdgeEnv, tlsEnv } from './edge-env';

/**
 * The one schema of every environment variable the apps read, assembled here from the common part
 * and the parts the libraries own (upstreamEnv: libs/upstream, rateLimitEnv: libs/ratelimit).
 * Names are the contract between the apps, the Helm chart, the tests and the docs
 * (docs/architecture.md): add freely, rename only together with every user.
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
  ...grpcServerEnv,
});

export const gatewayEnv = commonEnv
  .extend({
    PORT: port.default(8000),
    ADMIN_PORT: port.default(9000),
    ...upstreamEnv,
    ...rateLimitEnv,

    // Edge security (docs/edge-security.md): slow clients, body limit, CORS, authentication.
    ...httpEdgeEnv,
    ...corsEnv,
    ...authEnv,
    ...tlsEnv,
  })
  .superRefine(checkEdgeConfig)
  .superRefine(checkRpcTarget);

export type CommonConfig = z.infer<typeof commonEnv>;
export type GatewayConfig = z.infer<typeof gatewayEnv>;
