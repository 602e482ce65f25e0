import { PROTO_LOADER_OPTIONS, protoPath } from '@app/contracts';
import type { Phase } from '@app/health';
import { registerDrainEndpoint } from '@app/http-server';
import { excludePortFromTracing } from '@app/tracing';
import type { DynamicModule, Type } from '@nestjs/common';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { HealthImplementation, type ServingStatusMap } from 'grpc-health-check';
import { grpcServerLimits } from './grpc-server-limits';
import { drainGrpcServer, type GrpcServerHandle } from './drain-grpc-server';
import { createNestApp, DrainLink, serve } from './nest-app';
import type { GrpcServerEnv, ServiceEnv } from './service-env';
import { ServiceModule } from './service.module';

export interface GrpcServiceOptions {
  name: string;
  config: ServiceEnv & GrpcServerEnv & { PORT: number; ADMIN_PORT: number };
  /** The app's own module: its features (ServiceModule.forGrpc adds the rest). */
  module: Type<unknown> | DynamicModule;
  /** The proto package and file served, and the fully qualified service names for grpc.health.v1. */
  proto: { package: string; file: string; services: string[] };
}

/**
 * Runs a Nest hybrid app: a gRPC server on HOST:PORT and an HTTP admin listener (health, metrics)
 * on HOST:ADMIN_PORT. The standard gRPC health service (grpc.health.v1) mirrors readiness, so
 * Kubernetes' native gRPC probe and gRPC-aware balancers see the same state as the HTTP probe.
 */
export async function bootstrapGrpcService(
  options: GrpcServiceOptions,
): Promise<NestFastifyApplication> {
  const { config, name } = options;
  const { app, health } = await createNestApp(
    ServiceModule.forGrpc({
      name,
      config,
      features: options.module,
      protoPackage: options.proto.package,
    }),
  );

  const grpcHealth = new HealthImplementation(
    servingStatus(['', ...options.proto.services], 'NOT_SERVING'),
  );
  health.onChange((phase: Phase) => {
    const status = phase === 'ready' ? 'SERVING' : 'NOT_SERVING';
    for (const service of ['', ...options.proto.services]) grpcHealth.setStatus(service, status);
  });

  let grpcServer: GrpcServerHandle | undefined;
  const grpcUrl = `${config.HOST}:${config.PORT}`;
  app.connectMicroservice<GrpcOptions>(
    {
      transport: Transport.GRPC,
      options: {
        package: options.proto.package,
        protoPath: protoPath(options.proto.file),
        url: grpcUrl,
        loader: PROTO_LOADER_OPTIONS,
        // Let in-flight calls finish on close (GOAWAY first) instead of cancelling them.
        gracefulShutdown: true,
        channelOptions: {
          'grpc.max_connection_age_ms': config.GRPC_MAX_CONNECTION_AGE_MS,
          'grpc.max_connection_age_grace_ms': config.GRPC_MAX_CONNECTION_AGE_GRACE_MS,
          ...grpcServerLimits(config),
        },
        onLoadPackageDefinition: (_definition, server) => {
          grpcServer = server as GrpcServerHandle;
          grpcHealth.addToServer(server as never);
        },
      },
    },
    // Global pipes, interceptors and filters of the app apply to gRPC handlers too.
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  // The HTTP side of this app is its admin listener: probes and scrapes, no spans.
  excludePortFromTracing(config.ADMIN_PORT);
  const drainLink = new DrainLink();
  registerDrainEndpoint(app.getHttpAdapter().getInstance(), drainLink.drain);
  await app.listen(config.ADMIN_PORT, config.HOST);

  serve({
    name,
    config,
    health,
    drainLink,
    // Clients move to other replicas when draining starts; calls in flight finish.
    onDrain: [
      () => {
        if (grpcServer)
          drainGrpcServer(grpcServer, grpcUrl, config.GRPC_MAX_CONNECTION_AGE_GRACE_MS);
      },
    ],
    stop: [() => app.close()],
    listeners: {
      grpc: `${config.HOST}:${config.PORT}`,
      admin: `${config.HOST}:${config.ADMIN_PORT}`,
    },
  });
  return app;
}

function servingStatus(services: string[], status: 'SERVING' | 'NOT_SERVING'): ServingStatusMap {
  return Object.fromEntries(services.map((service) => [service, status]));
}
