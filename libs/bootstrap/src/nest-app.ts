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
import { type GracefulShutdown, installGracefulShutdown } from './graceful-shutdown';
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
 * The drain endpoint's link to the shutdown sequence, which exists only once the app serves: the
 * endpoint is registered before the admin listener listens, `serve` connects it.
 */
export class DrainLink {
  private shutdown: GracefulShutdown | undefined;

  connect(shutdown: GracefulShutdown): void {
    this.shutdown = shutdown;
  }

  /** For registerDrainEndpoint: undefined (answered 503) while the app is still starting. */
  readonly drain = (holdMs: number): Promise<void> | undefined =>
    this.shutdown?.drain('drain endpoint', holdMs);
}

/**
 * The last step of every app's start: the graceful shutdown sequence on SIGTERM / SIGINT (stop
 * steps in order, then flush traces) connected to the drain endpoint, readiness on, and one log
 * line saying where it listens.
 */
export function serve(options: {
  name: string;
  config: ServiceEnv;
  health: HealthState;
  drainLink: DrainLink;
  onDrain?: Array<() => void>;
  stop: Array<() => Promise<unknown>>;
  listeners: Record<string, string>;
}): void {
  const { config, health } = options;
  const logger = PinoLogger.root.child({ context: 'lifecycle' });
  const shutdown = installGracefulShutdown({
    health,
    logger,
    drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS,
    timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    onDrain: options.onDrain,
    stop: options.stop,
    finally: [shutdownTracing],
  });
  options.drainLink.connect(shutdown);
  health.markReady();
  logger.info(options.listeners, `${options.name} ready`);
}
