import { ConfigError } from '@app/env';
import { type RouteDefaults, type RouteTable, watchRouteFile } from '@app/routes';
import { Logger } from '@nestjs/common';
import type { RouteTableMetrics } from './route-table.metrics';
import type { RouteTableServer } from './route-table-server';

/**
 * Serves every new valid version of the route file (ROUTES_FILE) as it appears - a ConfigMap
 * update included - one at a time, in order. An invalid version, or one the gateway cannot serve
 * (an upstream's .proto that does not load, a scheme without its keys), is refused with one line
 * and counted; the last good table keeps serving.
 */
export function reloadOnChange(
  path: string,
  defaults: RouteDefaults,
  pollMs: number,
  server: RouteTableServer,
  metrics: RouteTableMetrics,
): () => void {
  const logger = new Logger('routes');
  let applying: Promise<void> = Promise.resolve();
  const refused = (error: unknown) => {
    metrics.reloaded('refused');
    const message = error instanceof Error ? error.message : String(error);
    // One line per problem, the route file named in each: the last good table stays.
    logger.warn(
      { route_file: path, version: server.version, problems: message.split('\n') },
      'route file refused; the last good table keeps serving',
    );
  };
  const apply = (table: RouteTable) => {
    applying = applying.then(async () => {
      const startedAt = performance.now();
      try {
        await server.apply(table);
      } catch (err) {
        refused(err);
        return;
      }
      metrics.reloaded('applied');
      logger.log(
        {
          route_file: path,
          version: table.version,
          routes: table.routes.length,
          applied_ms: Math.round(performance.now() - startedAt),
        },
        'route table reloaded',
      );
    });
  };
  const watch = watchRouteFile(path, defaults, {
    pollMs,
    currentVersion: server.version ?? '',
    onTable: apply,
    onRefused: (error: ConfigError) => refused(error),
  });
  return () => watch.stop();
}
