import { z } from 'zod';

/** The authentication of one route: a scheme, and for JWT the scopes a token must all carry. */
export interface RouteAuth {
  /** The route template as the gateway serves it, e.g. `/verify`. */
  route: string;
  scheme: 'none' | 'api-key' | 'jwt';
  scopes: string[];
}

// Route templates as in RATE_LIMIT_ROUTES; scopes are RFC 6749 scope tokens joined by `+`.
const ENTRY = /^(\/[\w.~:@!$&'()*+;%/-]*?)=(none|api-key|jwt)(?::([\x21\x23-\x5b\x5d-\x7e]+))?$/;
const FORMAT =
  'expected <route>=<none|api-key|jwt>[:<scope>+<scope>...], comma-separated, e.g. /verify=jwt:users.verify';

/**
 * AUTH_ROUTES: `/verify=jwt:users.verify,/projects=api-key` - /verify needs a JWT with the scope
 * `users.verify`, /projects an API key. Scopes are only allowed with jwt.
 */
export const authRoutes = z.string().transform((value, ctx): RouteAuth[] => {
  const routes: RouteAuth[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const match = ENTRY.exec(entry);
    const scopes = match?.[3]?.split('+').filter((s) => s !== '') ?? [];
    if (!match || (scopes.length > 0 && match[2] !== 'jwt')) {
      ctx.addIssue({ code: 'custom', message: `${FORMAT} (bad entry ${JSON.stringify(entry)})` });
      return z.NEVER;
    }
    const route = match[1].length > 1 ? match[1].replace(/\/+$/, '') : match[1];
    if (routes.some((known) => known.route === route)) {
      ctx.addIssue({ code: 'custom', message: `route ${route} is listed twice` });
      return z.NEVER;
    }
    routes.push({ route, scheme: match[2] as RouteAuth['scheme'], scopes });
  }
  return routes;
});
