import { HealthState } from '@app/health';
import {
  closeConnectionsWhileDraining,
  type ConnectionLimits,
  createFastifyAdapter,
  type TlsCredentials,
} from '@app/http-server';
import { shutdownTracing } from '@app/tracing';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { installGracefulShutdown } from './graceful-shutdown';
import type { ServiceEnv } from './service-env';

/**
 * Creates an app on the stack's Fastify adapter with its pino logger, and makes every response
 * ask for `Connection: close` once the process drains. Hooks must be added before it listens.
 */
export async function createNestApp(
  module: DynamicModule,
  limits?: ConnectionLimits,
  tls?: TlsCredentials,
): Promise<{ app: NestFastifyApplication; health: HealthState }> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    createFastifyAdapter(limits, tls),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  const health = app.get(HealthState);
  closeConnectionsWhileDraining(app, () => health.phase === 'draining');
  return { app, health };
}

/**
 * The last step of every app's start: the graceful shutdown sequence on SIGTERM / SIGINT (stop
 * steps in order, then flush traces), readiness on, and one log line saying where it listens.
 */
export function serve(options: {
  name: string;
  config: ServiceEnv;
  health: HealthState;
  stop: Array<() => Promise<unknown>>;
  listeners: Record<string, string>;
}): void {
  const { config, health } = options;
  const logger = PinoLogger.root.child({ context: 'lifecycle' });
  installGracefulShutdown({
    health,
    logger,
    drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    stop: options.stop,
    finally: [shutdownTracing],
  });
  health.markReady();
  logger.info(options.listeners, `${options.name} ready`);
}
