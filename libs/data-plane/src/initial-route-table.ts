import { ConfigError } from '@app/env';
import {
  defaultRouteTable,
  type DefaultRouteTableEnv,
  loadRouteFile,
  routeDefaultsOf,
  type RouteTable,
} from '@app/routes';
import type { RoutesEnv } from '@app/routes/env';

/** The seed's routes, as AUTH_ROUTES and RATE_LIMIT_ROUTES name them. */
const SEED_ROUTES = ['/projects', '/verify'];

/** Variables the route file replaces: set beside ROUTES_FILE they would be silently ignored. */
const REPLACED_BY_THE_FILE = {
  WEBAPP_URL: 'the urls of an http upstream',
  RPC_TARGET: 'the target of a grpc upstream',
  AUTH_ROUTES: 'auth on its routes',
  RATE_LIMIT_ROUTES: 'rateLimit on its routes',
} as const;

/**
 * The table the gateway starts with: the route file's (ROUTES_FILE), else the seed's two routes
 * from today's variables. Throws a ConfigError with one line per problem.
 */
export function initialRouteTable(
  config: RoutesEnv & DefaultRouteTableEnv,
  /** The raw environment: whether a variable was set, not just its default. */
  env: NodeJS.ProcessEnv = process.env,
): RouteTable {
  if (config.ROUTES_FILE !== undefined) {
    const set = Object.entries(REPLACED_BY_THE_FILE).filter(([name]) => env[name]);
    if (set.length > 0)
      throw new ConfigError(
        set
          .map(
            ([name, instead]) =>
              `Invalid configuration: ${name}: not used with ROUTES_FILE; set ${instead} in ${config.ROUTES_FILE} instead`,
          )
          .join('\n'),
      );
    return loadRouteFile(config.ROUTES_FILE, routeDefaultsOf(config));
  }
  for (const [variable, routes] of [
    ['AUTH_ROUTES', config.AUTH_ROUTES.map((entry) => entry.route)],
    ['RATE_LIMIT_ROUTES', config.RATE_LIMIT_ROUTES.map((entry) => entry.route)],
  ] as const) {
    const unknown = routes.filter((route) => !SEED_ROUTES.includes(route));
    if (unknown.length > 0)
      throw new ConfigError(
        `Invalid configuration: ${variable}: the gateway serves no route ${unknown.join(', ')}`,
      );
  }
  return defaultRouteTable(config);
}
