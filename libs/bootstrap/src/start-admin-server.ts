import {
  closeConnectionsWhileDraining,
  createFastifyAdapter,
  registerDrainEndpoint,
} from '@app/http-server';
import { HealthState } from '@app/health';
import type { LoggingOptions } from '@app/logging';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AdminModule } from './admin.module';
import type { DrainLink } from './nest-app';

/**
 * Starts the admin listener of an app whose main listener is public (gateway, webapp-1): a second,
 * small Nest app in the same process that shares the main app's HealthState, and serves the drain
 * endpoint (the preStop hook's target).
 */
export async function startAdminServer(
  main: INestApplication,
  options: {
    app: string;
    host: string;
    port: number;
    logging: LoggingOptions;
    drainLink: DrainLink;
  },
): Promise<NestFastifyApplication> {
  const health = main.get(HealthState);
  const admin = await NestFactory.create<NestFastifyApplication>(
    AdminModule.forRoot({ app: options.app, logging: options.logging, health }),
    createFastifyAdapter(),
    { bufferLogs: true },
  );
  admin.useLogger(admin.get(Logger));
  closeConnectionsWhileDraining(admin, () => health.phase === 'draining');
  registerDrainEndpoint(admin.getHttpAdapter().getInstance(), options.drainLink.drain);
  await admin.listen(options.port, options.host);
  return admin;
}
