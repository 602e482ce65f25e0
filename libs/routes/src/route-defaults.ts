import type { AuthEnv } from '@app/auth/env';
import type { HttpEdgeEnv } from '@app/edge/env';
import type { RateLimitEnv } from '@app/ratelimit/env';
import type { UpstreamEnv } from '@app/upstream/env';
import type { RouteAuthPolicy, UpstreamTraffic } from './route-model';

/**
 * What a route or an upstream takes when the route file leaves it out: the gateway's global
 * settings, from its environment. A route file changes only what it names.
 */
export interface RouteDefaults {
  /** AUTH_DEFAULT. */
  readonly auth: RouteAuthPolicy;
  /** RATE_LIMIT_WINDOW_MS: the window of a route's own limit that names none. */
  readonly rateLimitWindowMs: number;
  /** HTTP_BODY_LIMIT_BYTES. */
  readonly bodyLimitBytes: number;
  /** The traffic variables (docs/traffic.md); the call timeout is WEBAPP_ / RPC_TIMEOUT_MS by kind. */
  readonly traffic: { readonly http: UpstreamTraffic; readonly grpc: UpstreamTraffic };
}

/** The variables the defaults come from: a structural subset of the gateway's config. */
export type RouteDefaultsEnv = Omit<
  UpstreamEnv,
  | 'WEBAPP_URL'
  | 'RPC_TARGET'
  | 'DNS_SERVERS'
  | 'GRPC_NODE_USE_ALTERNATIVE_RESOLVER'
  | 'UPSTREAM_DNS_REFRESH_MS'
  | 'UPSTREAM_WARMUP_TIMEOUT_MS'
> &
  Pick<AuthEnv, 'AUTH_DEFAULT'> &
  Pick<RateLimitEnv, 'RATE_LIMIT_WINDOW_MS'> &
  Pick<HttpEdgeEnv, 'HTTP_BODY_LIMIT_BYTES'>;

export function routeDefaultsOf(env: RouteDefaultsEnv): RouteDefaults {
  const traffic = (timeoutMs: number): UpstreamTraffic => ({
    timeoutMs,
    connectTimeoutMs: env.WEBAPP_CONNECT_TIMEOUT_MS,
    retry: {
      maxAttempts: env.RETRY_MAX_ATTEMPTS,
      budgetPercent: env.RETRY_BUDGET_PERCENT,
      budgetMaxTokens: env.RETRY_BUDGET_MAX_TOKENS,
      perTryTimeoutMs: env.RETRY_PER_TRY_TIMEOUT_MS,
    },
    breaker: {
      consecutiveUnavailable: env.BREAKER_CONSECUTIVE_UNAVAILABLE,
      errorThresholdPercent: env.BREAKER_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: env.BREAKER_VOLUME_THRESHOLD,
      windowMs: env.BREAKER_WINDOW_MS,
      resetTimeoutMs: env.BREAKER_RESET_TIMEOUT_MS,
    },
    outlier: {
      consecutiveFailures: env.WEBAPP_OUTLIER_CONSECUTIVE_FAILURES,
      intervalMs: env.OUTLIER_INTERVAL_MS,
      baseEjectionMs: env.OUTLIER_BASE_EJECTION_MS,
      // As libs/upstream/src/traffic-policy.ts reads them: the cap is never below the base.
      maxEjectionMs: Math.max(env.OUTLIER_BASE_EJECTION_MS, env.OUTLIER_MAX_EJECTION_MS),
      maxEjectionPercent: env.OUTLIER_MAX_EJECTION_PERCENT,
    },
    keepalive: { timeMs: env.RPC_KEEPALIVE_TIME_MS, timeoutMs: env.RPC_KEEPALIVE_TIMEOUT_MS },
  });
  return {
    auth: { scheme: env.AUTH_DEFAULT, scopes: [] },
    rateLimitWindowMs: env.RATE_LIMIT_WINDOW_MS,
    bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
    traffic: { http: traffic(env.WEBAPP_TIMEOUT_MS), grpc: traffic(env.RPC_TIMEOUT_MS) },
  };
}
