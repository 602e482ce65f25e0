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

/**
 * The table the gateway starts with: the route file's (ROUTES_FILE; the variables it replaces
 * are refused beside it by the config schema, checkRoutesFileConfig), else the seed's two routes
 * from today's variables. Throws a ConfigError with one line per problem.
 */
export function initialRouteTable(config: RoutesEnv & DefaultRouteTableEnv): RouteTable {
  if (config.ROUTES_FILE !== undefined)
    return loadRouteFile(config.ROUTES_FILE, routeDefaultsOf(config));
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
