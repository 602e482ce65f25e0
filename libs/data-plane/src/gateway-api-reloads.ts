import {
  type GatewayApiSnapshot,
  type GatewayPortAllocation,
  gatewayPortAllocation,
  MatchRouteCache,
  type PortRange,
  routeTableFromGateways,
  routeTablesByGatewayPort,
  translate,
  type TranslateOptions,
  type Translation,
} from '@app/gateway-api';
import type { RouteDefaults } from '@app/routes';
import { Logger } from '@nestjs/common';
import type { RouteTableMetrics } from './route-table.metrics';
import type { GatewayListeners } from './gateway-listeners';
import type { PortTables, RouteTableServer } from './route-table-server';

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
   * HTTPS listeners' certificates taken from it; with `gatewayPorts`, the internal ports it is
   * served on, which the Gateways' Services send to. A throw refuses the table, as a table the
   * gateway cannot serve.
   */
  translated?(
    snapshot: GatewayApiSnapshot,
    translation: Translation,
    allocation?: GatewayPortAllocation,
  ): void;
  /**
   * Per-(Gateway, port) listeners (docs/adr/0011-gateway-api.md, "Per-Gateway addresses"): each
   * build also allocates the internal ports (gatewayPortAllocation, from the snapshot's Gateways
   * and Services), builds a table per pair, serves them in the merged table's swap, then opens
   * and closes `listeners`' ports to match. Unset: the merged table alone, on the main port.
   */
  gatewayPorts?: {
    readonly range: PortRange;
    /** Where the Gateways' Services are (the gateway Service's namespace): their ports are kept. */
    readonly servicesNamespace: string;
    /** The pod's own ports (PORT, ADMIN_PORT, GATEWAY_API_HTTPS_PORT): never handed out. */
    readonly avoid: readonly number[];
    readonly listeners: Pick<GatewayListeners, 'update'>;
  };
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
  // The port tables' own: one cache serving two builds would evict each one's routes.
  const portRouteCache = new MatchRouteCache();
  let lastUnallocated = '';

  const build = async (): Promise<void> => {
    const startedAt = performance.now();
    let version: string;
    try {
      const snapshot = options.snapshot();
      const translation = translate(snapshot, options.controllerName, options.translateOptions);
      const allocation = options.gatewayPorts && allocate(snapshot, translation);
      options.translated?.(snapshot, translation, allocation);
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
      const pairs =
        allocation &&
        routeTablesByGatewayPort(translation, options.defaults, allocation, portRouteCache);
      const ports: PortTables | undefined = pairs && {
        range: (options.gatewayPorts as NonNullable<typeof options.gatewayPorts>).range,
        tables: new Map([...pairs].map(([port, each]) => [port, each.table])),
      };
      const before = server.servedKey;
      await server.apply(table, ports);
      // After the swap: a port opens with its table already served. Every build, so that a port
      // that could not be opened is tried again.
      await options.gatewayPorts?.listeners.update([...(pairs?.values() ?? [])]);
      if (server.servedKey === before) return;
      version = table.version;
      metrics.reloaded('applied');
      logger.log(
        {
          version,
          routes: table.routes.length,
          ...(ports ? { gateway_ports: ports.tables.size } : {}),
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

  const allocate = (
    snapshot: GatewayApiSnapshot,
    translation: Translation,
  ): GatewayPortAllocation => {
    const { range, avoid, servicesNamespace } = options.gatewayPorts as NonNullable<
      typeof options.gatewayPorts
    >;
    const allocation = gatewayPortAllocation(translation, snapshot.gateways, snapshot.services, {
      controllerName: options.controllerName,
      namespace: servicesNamespace,
      range,
      avoid,
    });
    const unallocated = allocation.unallocated.map(
      (pair) => `${pair.gateway.namespace}/${pair.gateway.name}:${pair.port}`,
    );
    if (unallocated.join('\n') !== lastUnallocated) {
      lastUnallocated = unallocated.join('\n');
      if (unallocated.length > 0)
        logger.warn(
          { unallocated, range: `${range.from}-${range.to}` },
          'no internal port left for these Gateway ports: not served until the range grows',
        );
    }
    return allocation;
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
