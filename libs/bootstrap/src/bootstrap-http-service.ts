import {
  configureHttpApp,
  type ConnectionLimits,
  routeLabelOf,
  type TlsCredentials,
} from '@app/http-server';
import { recordHttpServerMetrics } from '@app/metrics';
import { excludePortFromTracing } from '@app/tracing';
import type { DynamicModule, Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createNestApp, DrainLink, serve } from './nest-app';
import type { ServiceEnv } from './service-env';
import { ServiceModule } from './service.module';
import { startAdminServer } from './start-admin-server';

export interface HttpServiceOptions {
  /** The app name: `service` in logs, `app` label on metrics. */
  name: string;
  config: ServiceEnv & { PORT: number; ADMIN_PORT: number };
  /** The app's own module: its features (ServiceModule.forHttp adds the rest). */
  module: Type<unknown> | DynamicModule;
  /** Timeouts and limits of the public listener (default: DEFAULT_CONNECTION_LIMITS). */
  connectionLimits?: ConnectionLimits;
  /** Serve the public listener over TLS with these credentials (the admin listener stays HTTP). */
  tls?: TlsCredentials;
}

/**
 * Runs an app whose main listener is public HTTP (gateway, webapp-1): public listener on
 * HOST:PORT, admin listener (health, metrics) on HOST:ADMIN_PORT, ready once both listen, and the
 * graceful shutdown sequence on SIGTERM / SIGINT.
 */
export async function bootstrapHttpService(
  options: HttpServiceOptions,
): Promise<NestFastifyApplication> {
  const { config, name } = options;
  const { app, health } = await createNestApp(
    ServiceModule.forHttp({ name, config, features: options.module }),
    options.connectionLimits,
    options.tls,
  );
  configureHttpApp(app);
  recordHttpServerMetrics(app, routeLabelOf);
  // Probes and scrapes on the admin listener are not traffic: no spans.
  excludePortFromTracing(config.ADMIN_PORT);
  await app.listen(config.PORT, config.HOST);

  const drainLink = new DrainLink();
  const admin = await startAdminServer(app, {
    drainLink,
    app: name,
    host: config.HOST,
    port: config.ADMIN_PORT,
    logging: { service: name, level: config.LOG_LEVEL },
  });
  serve({
    name,
    config,
    health,
    drainLink,
    stop: [() => app.close(), () => admin.close()],
    listeners: {
      public: `${config.HOST}:${config.PORT}`,
      admin: `${config.HOST}:${config.ADMIN_PORT}`,
    },
  });
  return app;
}
