import { positiveInt } from '@app/env';
import { z } from 'zod';

/**
 * Where the gateway's routes come from (docs/route-file.md). This library's part of the gateway's
 * environment schema, which libs/config/src/env-schema.ts assembles (as '@app/routes/env').
 */
export const routesEnv = {
  /** Unset: today's two routes from WEBAPP_URL, RPC_TARGET, AUTH_ROUTES and RATE_LIMIT_ROUTES. */
  ROUTES_FILE: z.string().min(1).optional(),
  /** A fallback for file systems whose change events do not arrive (some network volumes). */
  ROUTES_RELOAD_POLL_MS: positiveInt.min(100).max(600_000).default(2000),
};

export type RoutesEnv = z.infer<z.ZodObject<typeof routesEnv>>;
