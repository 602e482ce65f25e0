import { AuthCapabilities, RouteAuthPolicies } from '@app/auth';
import { HttpServerMetrics } from '@app/metrics';
import { RoutePolicies } from '@app/ratelimit';
import type { DefaultRouteTableEnv } from '@app/routes';
import type { RoutesEnv } from '@app/routes/env';
import {
  trafficPolicy,
  UpstreamCoreModule,
  UpstreamMetrics,
  UpstreamStates,
} from '@app/upstream';
import type { UpstreamEnv } from '@app/upstream/env';
import {
  type DynamicModule,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { initialRouteTable } from './initial-route-table';
import { isTableRoute, RouteTableController } from './route-table.controller';
import { RouteTableMetrics, routeTableMetricProviders } from './route-table.metrics';
import { RouteTableServer } from './route-table-server';
import { UpstreamPool } from './upstream-pool';

export type DataPlaneConfig = RoutesEnv & DefaultRouteTableEnv & UpstreamEnv;

const DATA_PLANE_CONFIG = Symbol('DATA_PLANE_CONFIG');

/** Serves the first table before the listener opens, and lets its upstreams go at shutdown. */
@Injectable()
class RouteTableLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly server: RouteTableServer,
    private readonly config: DataPlaneConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.server.apply(initialRouteTable(this.config));
  }

  async onApplicationShutdown(): Promise<void> {
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
          ) => {
            const server = new RouteTableServer(
              new UpstreamPool(upstreamMetrics, states, trafficPolicy(config).discovery),
              { auth, authCapabilities, rateLimits },
              metrics,
              () => moduleRef.get(HttpServerMetrics, { strict: false }),
            );
            // At construction, before any module's onModuleInit: the match must be the first
            // onRequest hook, since authentication (a hook too) reads it.
            server.install(host.httpAdapter.getInstance<FastifyInstance>(), isTableRoute);
            return server;
          },
        },
        {
          provide: RouteTableLifecycle,
          inject: [RouteTableServer, DATA_PLANE_CONFIG],
          useFactory: (server: RouteTableServer, c: DataPlaneConfig) =>
            new RouteTableLifecycle(server, c),
        },
      ],
    };
  }
}
