import { nonNegativeInt, positiveInt } from '@app/env';
import { z } from 'zod';
import { routeLimits } from './route-limits';

/**
 * The gateway's rate-limiting variables (docs/rate-limiting.md): this library's part of the
 * gateway's environment schema, which libs/config/src/env-schema.ts assembles. Only zod here: the
 * config library imports this file (as '@app/ratelimit/env'); rateLimitOptions
 * (rate-limit.options.ts) turns the validated values into this library's options.
 */

/** The two ways of sharing a limit through Redis (RATE_LIMIT_SYNC). */
export const SYNC_MODES = ['background', 'per-request'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

export const rateLimitEnv = {
  /** Shared rate-limit store, redis:// or rediss:// (TLS); unset = an in-memory store per gateway. */
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, message: 'expected a redis:// or rediss:// URL' })
    .optional(),
  /** Redis password (e.g. from a Secret); takes precedence over one in REDIS_URL. */
  REDIS_PASSWORD: z.string().optional(),
  /** Requests one client may make per window, on every route without its own limit. */
  RATE_LIMIT_LIMIT: positiveInt.default(1000),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(1000),
  /** Per-route limits with their own budget, e.g. `/verify=20/1000,/projects=200` (docs/rate-limiting.md). */
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
  /**
   * How gateways share counts through Redis: `background` (decide locally from a claimed share,
   * synchronise in batches; no Redis call on the request path) or `per-request` (one exact Redis
   * call per request). See docs/adr/0005-background-rate-limit-sync.md.
   */
  RATE_LIMIT_SYNC: z.enum(SYNC_MODES).default('background'),
  /** Background mode: how often a gateway synchronises its counts with Redis (one round trip). */
  RATE_LIMIT_SYNC_INTERVAL_MS: positiveInt.default(50),
};

/** The validated RATE_LIMIT_* and REDIS_* settings: what RateLimitModule takes. */
export type RateLimitEnv = z.infer<z.ZodObject<typeof rateLimitEnv>>;
