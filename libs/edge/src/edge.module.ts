import type { AuthEnv } from '@app/auth';
import { PUBLIC_ROUTE } from '@app/http-server';
import {
  DynamicModule,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Server } from 'node:https';
import { corsEnabled, registerCors } from './cors';
import type { CorsEnv, TlsEnv } from './edge-env';
import { OPENAPI_PATH, openApiDocument } from './openapi-document';
import { registerSecurityHeaders } from './security-headers';
import { reloadTlsOnChange, tlsCredentialsOf } from './tls-credentials';

const EDGE_CONFIG = Symbol('EDGE_CONFIG');

/** What the plugins read: CORS and TLS, and the authentication the OpenAPI document describes. */
type EdgeConfig = CorsEnv & TlsEnv & Pick<AuthEnv, 'AUTH_DEFAULT' | 'AUTH_ROUTES'>;

@Injectable()
class EdgePlugins implements OnModuleInit, OnApplicationShutdown {
  private stopTlsReload: () => void = () => undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: EdgeConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    await registerCors(fastify, this.config);
    const tls = tlsCredentialsOf(this.config);
    registerSecurityHeaders(fastify, { corsEnabled: corsEnabled(this.config), tls: !!tls });
    if (tls) {
      const logger = new Logger('tls');
      this.stopTlsReload = reloadTlsOnChange(fastify.server as Server, tls, this.config, {
        log: (fields, msg) => logger.log(fields, msg),
        warn: (fields, msg) => logger.warn(fields, msg),
      });
    }
    const contract = JSON.stringify(
      openApiDocument({ defaultScheme: this.config.AUTH_DEFAULT, routes: this.config.AUTH_ROUTES }),
      null,
      2,
    );
    fastify.get(OPENAPI_PATH, { config: PUBLIC_ROUTE }, (_request, reply) => {
      void reply.type('application/json; charset=utf-8').send(contract);
    });
  }

  onApplicationShutdown(): void {
    this.stopTlsReload();
  }
}

/**
 * TLS certificate reloads, CORS, security headers and the OpenAPI document (GET /openapi.json) on the gateway's public
 * listener (docs/edge-security.md).
 */
@Module({})
export class EdgeModule {
  static forRoot(config: EdgeConfig): DynamicModule {
    return {
      module: EdgeModule,
      providers: [
        { provide: EDGE_CONFIG, useValue: config },
        {
          provide: EdgePlugins,
          inject: [HttpAdapterHost, EDGE_CONFIG],
          useFactory: (host: HttpAdapterHost, c: EdgeConfig) => new EdgePlugins(host, c),
        },
      ],
    };
  }
}
