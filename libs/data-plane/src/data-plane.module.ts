import { AuthCapabilities, RouteAuthPolicies } from '@app/auth';
import { OpenApiPublication } from '@app/edge';
import { HttpServerMetrics } from '@app/metrics';
import { RoutePolicies } from '@app/ratelimit';
import { routeDefaultsOf } from '@app/routes';
import { trafficPolicy, UpstreamCoreModule, UpstreamMetrics, UpstreamStates } from '@app/upstream';
import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Server as HttpServer } from 'node:http';
import type { DataPlaneConfig } from './data-plane-config';
import { followGatewayApi } from './follow-gateway-api';
import { GrpcPassThrough } from './grpc-pass-through';
import { acceptH2c, type H2cListener } from './h2c-listener';
import { initialRouteTable } from './initial-route-table';
import { reloadOnChange } from './route-file-reloads';
import { RouteTableController } from './route-table.controller';
import { RouteTableMetrics, routeTableMetricProviders } from './route-table.metrics';
import { RouteTableServer } from './route-table-server';
import { UpstreamPool } from './upstream-pool';

const DATA_PLANE_CONFIG = Symbol('DATA_PLANE_CONFIG');

/**
 * Serves the first table before the listener opens, follows its source from then on (the route
 * file, or the Gateway API objects), and lets the upstreams go at shutdown.
 */
@Injectable()
class RouteTableLifecycle
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown
{
  private stopReloads: () => void | Promise<void> = () => undefined;
  private h2c: H2cListener | undefined;

  constructor(
    private readonly server: RouteTableServer,
    private readonly metrics: RouteTableMetrics,
    private readonly config: DataPlaneConfig,
    private readonly host: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.GATEWAY_API_CONTROLLER_NAME !== undefined) {
      const httpServer = this.host.httpAdapter.getHttpServer() as HttpServer;
      // GRPCRoutes' calls: h2c on the listener's port, before it opens.
      this.h2c = acceptH2c(httpServer, (stream, headers, encrypted, localPort) =>
        this.server.serveHttp2(stream, headers, encrypted, localPort),
      );
      this.stopReloads = await followGatewayApi(
        this.config.GATEWAY_API_CONTROLLER_NAME,
        this.config,
        this.server,
        this.metrics,
        httpServer,
      );
      return;
    }
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

  /** Before the listener closes: it would wait on HTTP/2 clients, which no response tells to go. */
  beforeApplicationShutdown(): void {
    this.h2c?.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopReloads();
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
              // gRPC calls passed through count in the upstream metrics as other calls do.
              new GrpcPassThrough((upstream, outcome, startedAt) =>
                upstreamMetrics.observe(upstream, outcome, startedAt),
              ),
            );
            // At construction, before any module's onModuleInit: the match must be the first
            // onRequest hook, since authentication (a hook too) reads it.
            server.install(host.httpAdapter.getInstance<FastifyInstance>());
            return server;
          },
        },
        {
          provide: RouteTableLifecycle,
          inject: [RouteTableServer, RouteTableMetrics, DATA_PLANE_CONFIG, HttpAdapterHost],
          useFactory: (
            server: RouteTableServer,
            metrics: RouteTableMetrics,
            c: DataPlaneConfig,
            host: HttpAdapterHost,
          ) => new RouteTableLifecycle(server, metrics, c, host),
        },
      ],
    };
  }
}
