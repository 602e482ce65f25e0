import { AuthCapabilities, RouteAuthPolicies } from '@app/auth';
import { OpenApiPublication } from '@app/edge';
import { type GatewayApiWatch, watchGatewayApi } from '@app/kubernetes';
import { HttpServerMetrics } from '@app/metrics';
import { RoutePolicies } from '@app/ratelimit';
import { type DefaultRouteTableEnv, routeDefaultsOf } from '@app/routes';
import type { RoutesEnv } from '@app/routes/env';
import { trafficPolicy, UpstreamCoreModule, UpstreamMetrics, UpstreamStates } from '@app/upstream';
import type { UpstreamEnv } from '@app/upstream/env';
import {
  type DynamicModule,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { gatewayApiReloads } from './gateway-api-reloads';
import { initialRouteTable } from './initial-route-table';
import { reloadOnChange } from './route-file-reloads';
import { RouteTableController } from './route-table.controller';
import { RouteTableMetrics, routeTableMetricProviders } from './route-table.metrics';
import { RouteTableServer } from './route-table-server';
import { UpstreamPool } from './upstream-pool';

export type DataPlaneConfig = RoutesEnv & DefaultRouteTableEnv & UpstreamEnv;

const DATA_PLANE_CONFIG = Symbol('DATA_PLANE_CONFIG');

/** A kind whose list or watch failed is tried again this often. */
const GATEWAY_API_RETRY_MS = 2000;
/**
 * Past this the gateway stops starting, with one line naming the kinds it could not list: Nest
 * holds the logs of a starting app back, so a gateway still waiting would say nothing at all.
 */
const GATEWAY_API_START_TIMEOUT_MS = 60_000;

/**
 * Serves the first table before the listener opens, follows its source from then on (the route
 * file, or the Gateway API objects), and lets the upstreams go at shutdown.
 */
@Injectable()
class RouteTableLifecycle implements OnModuleInit, OnApplicationShutdown {
  private stopReloads: () => void = () => undefined;

  constructor(
    private readonly server: RouteTableServer,
    private readonly metrics: RouteTableMetrics,
    private readonly config: DataPlaneConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.GATEWAY_API_CONTROLLER_NAME !== undefined)
      return this.followGatewayApi(this.config.GATEWAY_API_CONTROLLER_NAME);
    await this.server.apply(initialRouteTable(this.config));
    if (this.config.ROUTES_FILE !== undefined)
      this.stopReloads = reloadOnChange(
        this.config.ROUTES_FILE,
        routeDefaultsOf(this.config),
        this.config.ROUTES_RELOAD_POLL_MS,
        this.server,
        this.metrics,
      );
  }

  /**
   * Waits until every watched kind has listed (the listener opens only then: until the first
   * table is served the gateway is not ready), serves that table, then each change's; from then on
   * readiness no longer depends on the API server - its absence only delays the next table.
   */
  private async followGatewayApi(controllerName: string): Promise<void> {
    const logger = new Logger('gateway-api');
    // Filled once every kind has listed; no table is built before (changed() waits for applyNow).
    const objects: { watch?: GatewayApiWatch } = {};
    const reloads = gatewayApiReloads(
      {
        snapshot: () => {
          if (!objects.watch) throw new Error('the Gateway API objects are not listed yet');
          return objects.watch.snapshot();
        },
        controllerName,
        defaults: routeDefaultsOf(this.config),
        debounceMs: this.config.GATEWAY_API_DEBOUNCE_MS,
      },
      this.server,
      this.metrics,
    );
    const listed = await watchGatewayApi({
      onChange: () => reloads.changed(),
      onError: (kind, error) =>
        logger.warn(
          { kind, error: error instanceof Error ? error.message : String(error) },
          'watch of the Gateway API objects failed; retried, the last table keeps serving',
        ),
      retryMs: GATEWAY_API_RETRY_MS,
      startTimeoutMs: GATEWAY_API_START_TIMEOUT_MS,
    });
    objects.watch = listed;
    await reloads.applyNow();
    this.stopReloads = () => {
      reloads.stop();
      void listed.stop();
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopReloads();
    await this.server.close();
  }
}

/**
 * The gateway's data plane: the route table (libs/routes) served through one catch-all route,
 * each route bound to a running upstream (libs/upstream), gRPC routes transcoded
 * (libs/transcoding). docs/adr/0009-route-table-data-plane.md.
 */
@Module({})
export class DataPlaneModule {
  static forRoot(config: DataPlaneConfig): DynamicModule {
    return {
      module: DataPlaneModule,
      imports: [UpstreamCoreModule],
      controllers: [RouteTableController],
      providers: [
        { provide: DATA_PLANE_CONFIG, useValue: config },
        ...routeTableMetricProviders,
        RouteTableMetrics,
        {
          provide: RouteTableServer,
          inject: [
            HttpAdapterHost,
            ModuleRef,
            UpstreamMetrics,
            UpstreamStates,
            RouteAuthPolicies,
            AuthCapabilities,
            RoutePolicies,
            RouteTableMetrics,
            OpenApiPublication,
          ],
          useFactory: (
            host: HttpAdapterHost,
            moduleRef: ModuleRef,
            upstreamMetrics: UpstreamMetrics,
            states: UpstreamStates,
            auth: RouteAuthPolicies,
            authCapabilities: AuthCapabilities,
            rateLimits: RoutePolicies,
            metrics: RouteTableMetrics,
            openApi: OpenApiPublication,
          ) => {
            const server = new RouteTableServer(
              new UpstreamPool(upstreamMetrics, states, trafficPolicy(config).discovery),
              { auth, authCapabilities, rateLimits },
              metrics,
              openApi,
              () => moduleRef.get(HttpServerMetrics, { strict: false }),
            );
            // At construction, before any module's onModuleInit: the match must be the first
            // onRequest hook, since authentication (a hook too) reads it.
            server.install(host.httpAdapter.getInstance<FastifyInstance>());
            return server;
          },
        },
        {
          provide: RouteTableLifecycle,
          inject: [RouteTableServer, RouteTableMetrics, DATA_PLANE_CONFIG],
          useFactory: (server: RouteTableServer, metrics: RouteTableMetrics, c: DataPlaneConfig) =>
            new RouteTableLifecycle(server, metrics, c),
        },
      ],
    };
  }
}
