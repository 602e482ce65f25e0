import { startAdminServer } from '@app/admin';
import type { CommonConfig } from '@app/config';
import { HealthState } from '@app/health';
import {
  closeConnectionsWhileDraining,
  configureHttpApp,
  createFastifyAdapter,
} from '@app/http-server';
import { installGracefulShutdown } from '@app/lifecycle';
import { recordHttpServerMetrics } from '@app/metrics';
import { excludePortFromTracing, shutdownTracing } from '@app/tracing';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';

export interface HttpServiceOptions {
  /** The app name: `service` in logs, `app` label on metrics. */
  name: string;
  config: CommonConfig & { PORT: number; ADMIN_PORT: number };
  /** The app's root module (it must import LoggingModule, HealthModule and MetricsModule.forHttp). */
  module: DynamicModule;
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
  const app = await NestFactory.create<NestFastifyApplication>(
    options.module,
    createFastifyAdapter(),
    {
      bufferLogs: true,
    },
  );
  app.useLogger(app.get(Logger));
  const health = app.get(HealthState);
  configureHttpApp(app);
  recordHttpServerMetrics(app);
  closeConnectionsWhileDraining(app, () => health.phase === 'draining');
  // Probes and scrapes on the admin listener are not traffic: no spans.
  excludePortFromTracing(config.ADMIN_PORT);
  await app.listen(config.PORT, config.HOST);

  const admin = await startAdminServer(app, {
    app: name,
    host: config.HOST,
    port: config.ADMIN_PORT,
    logging: { service: name, level: config.LOG_LEVEL },
  });

  const logger = PinoLogger.root.child({ context: 'lifecycle' });
  installGracefulShutdown({
    health,
    logger,
    drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    stop: [() => app.close(), () => admin.close()],
    finally: [shutdownTracing],
  });
  health.markReady();
  logger.info(
    { public: `${config.HOST}:${config.PORT}`, admin: `${config.HOST}:${config.ADMIN_PORT}` },
    `${name} ready`,
  );
  return app;
}
