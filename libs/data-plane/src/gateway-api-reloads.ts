import {
  type GatewayApiSnapshot,
  MatchRouteCache,
  routeTableFromGateways,
  translate,
  type TranslateOptions,
  type Translation,
} from '@app/gateway-api';
import type { RouteDefaults } from '@app/routes';
import { Logger } from '@nestjs/common';
import type { RouteTableMetrics } from './route-table.metrics';
import type { RouteTableServer } from './route-table-server';

export interface GatewayApiReloadOptions {
  /** What the watched objects are now (libs/kubernetes keeps them current). */
  snapshot(): GatewayApiSnapshot;
  /** spec.controllerName of the GatewayClasses this gateway implements. */
  controllerName: string;
  /** What the translation may serve beyond plain HTTP (HTTPS listeners). */
  translateOptions?: TranslateOptions;
  defaults: RouteDefaults;
  /** Changes arriving within this window make one table. */
  debounceMs: number;
  /**
   * Every translation, and the objects it came from: the status it asks for is written there, the
   * HTTPS listeners' certificates taken from it. A throw refuses the table, as a table the gateway
   * cannot serve.
   */
  translated?(snapshot: GatewayApiSnapshot, translation: Translation): void;
}

export interface GatewayApiReloads {
  /** Builds and serves the table of the objects now; resolves when it is served (or refused). */
  applyNow(): Promise<void>;
  /** Objects changed: serve their table after the debounce window (ignored before applyNow). */
  changed(): void;
  stop(): void;
}

/**
 * Serves what this controller's Gateways ask for (docs/adr/0011-gateway-api.md): the objects
 * translated, turned into one route table and swapped in, one table at a time, in order. A burst of
 * changes (a `kubectl apply` of many objects, pods of a rollout turning ready) makes one table, and
 * a table equal to the one served is not swapped at all. A table the gateway cannot serve is
 * refused with one line and counted; the last good one keeps serving - as with the route file.
 */
export function gatewayApiReloads(
  options: GatewayApiReloadOptions,
  server: RouteTableServer,
  metrics: RouteTableMetrics,
): GatewayApiReloads {
  const logger = new Logger('gateway-api');
  let applying: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let lastUnsupported = '';
  let started = false;
  // A change to one object makes a new table of every route: those of unchanged matches are
  // taken from the table before rather than checked again.
  const routeCache = new MatchRouteCache();

  const build = async (): Promise<void> => {
    const startedAt = performance.now();
    let version: string;
    try {
      const snapshot = options.snapshot();
      const translation = translate(snapshot, options.controllerName, options.translateOptions);
      options.translated?.(snapshot, translation);
      const { table, unsupported } = routeTableFromGateways(
        translation,
        options.defaults,
        routeCache,
      );
      const described = unsupported.map(
        (entry) => `${entry.listener} ${entry.name}: ${entry.reason}`,
      );
      if (described.join('\n') !== lastUnsupported) {
        lastUnsupported = described.join('\n');
        if (described.length > 0)
          logger.warn({ unsupported: described }, 'matches the gateway cannot serve yet, left out');
      }
      const before = server.version;
      await server.apply(table);
      if (table.version === before) return;
      version = table.version;
      metrics.reloaded('applied');
      logger.log(
        {
          version,
          routes: table.routes.length,
          applied_ms: Math.round(performance.now() - startedAt),
        },
        'route table from the Gateway API applied',
      );
    } catch (error) {
      metrics.reloaded('refused');
      const message = error instanceof Error ? error.message : String(error);
      logger.warn(
        { version: server.version, problems: message.split('\n') },
        'Gateway API table refused; the last good table keeps serving',
      );
    }
  };

  const enqueue = (): Promise<void> => (applying = applying.then(build));

  return {
    applyNow: () => {
      started = true;
      return enqueue();
    },
    changed: () => {
      if (!started || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void enqueue();
      }, options.debounceMs);
    },
    stop: () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
