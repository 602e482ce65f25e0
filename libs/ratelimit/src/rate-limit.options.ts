import type { RateLimitEnv, SyncMode } from './rate-limit-env';
import type { RouteLimit } from './route-limits';
import type { RedisConnectionOptions } from './redis-limits';

export const RATE_LIMIT_OPTIONS = Symbol('RATE_LIMIT_OPTIONS');

/** The limiter's settings, taken from the gateway's configuration (see docs/rate-limiting.md). */
export interface RateLimitOptions {
  /** The default policy: `limit` requests per client per `windowMs`, on every route without its own. */
  limit: number;
  windowMs: number;
  /** Routes with their own policy (and their own budget). */
  routes: RouteLimit[];
  /** Proxies in front of the gateway that append to X-Forwarded-For. */
  trustedProxyHops: number;
  /** Share of every limit each gateway enforces on its own while Redis is unreachable. */
  localShare: number;
  /** The shared store; undefined = embedded in-memory store. */
  redis?: RedisConnectionOptions;
  /** With Redis: `background` (local decisions, batched sync) or `per-request` (one call each). */
  sync: SyncMode;
  /** Background mode: the longest a gateway's counts go unsynchronised while it has traffic. */
  syncIntervalMs: number;
}

/** This library's options, from its part of the configuration. */
export function rateLimitOptions(config: RateLimitEnv): RateLimitOptions {
  return {
    limit: config.RATE_LIMIT_LIMIT,
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    routes: config.RATE_LIMIT_ROUTES,
    trustedProxyHops: config.RATE_LIMIT_TRUSTED_PROXY_HOPS,
    localShare: config.RATE_LIMIT_LOCAL_SHARE,
    redis: config.REDIS_URL
      ? {
          url: config.REDIS_URL,
          password: config.REDIS_PASSWORD,
          commandTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
        }
      : undefined,
    sync: config.RATE_LIMIT_SYNC,
    syncIntervalMs: config.RATE_LIMIT_SYNC_INTERVAL_MS,
  };
}
