import { z } from 'zod';

/** One per-route rate limit: `limit` requests per `windowMs` (default: the global window). */
export interface RouteLimit {
  /** The route template as the gateway serves it, e.g. `/verify` (see the `route` metric label). */
  route: string;
  limit: number;
  windowMs?: number;
}

// Route templates: URL path characters plus Nest/Fastify's `:param` and `*` (no quotes or spaces).
const ENTRY = /^(\/[\w.~:@!$&'()*+;%/-]*)=(\d+)(?:\/(\d+))?$/;
const FORMAT = 'expected <route>=<limit>[/<window ms>], comma-separated, e.g. /verify=20/1000';

/**
 * RATE_LIMIT_ROUTES: `/verify=20/1000,/projects=200` - 20 requests per second on /verify, 200 per
 * global window on /projects. A trailing slash is ignored, as the router ignores it.
 */
export const routeLimits = z.string().transform((value, ctx): RouteLimit[] => {
  const limits: RouteLimit[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = ENTRY.exec(entry);
    const limit = Number(match?.[2]);
    const windowMs = match?.[3] === undefined ? undefined : Number(match[3]);
    if (!match || limit < 1 || windowMs === 0) {
      ctx.addIssue({ code: 'custom', message: `${FORMAT} (bad entry ${JSON.stringify(entry)})` });
      return z.NEVER;
    }
    const route = match[1].length > 1 ? match[1].replace(/\/+$/, '') : match[1];
    if (limits.some((known) => known.route === route)) {
      ctx.addIssue({ code: 'custom', message: `route ${route} is listed twice` });
      return z.NEVER;
    }
    limits.push({ route, limit, ...(windowMs === undefined ? {} : { windowMs }) });
  }
  return limits;
});
