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
import { OpenApiPublication } from './openapi-publication';
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
    private readonly openApi: OpenApiPublication,
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
    fastify.get(OPENAPI_PATH, { config: PUBLIC_ROUTE }, (_request, reply) => {
      void reply.type('application/json; charset=utf-8').send(this.openApi.json);
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
      // Global: the gateway's data plane publishes each route table's document.
      global: true,
      providers: [
        { provide: EDGE_CONFIG, useValue: config },
        {
          provide: OpenApiPublication,
          useFactory: () =>
            new OpenApiPublication(
              openApiDocument({ defaultScheme: config.AUTH_DEFAULT, routes: config.AUTH_ROUTES }),
            ),
        },
        {
          provide: EdgePlugins,
          inject: [HttpAdapterHost, EDGE_CONFIG, OpenApiPublication],
          useFactory: (host: HttpAdapterHost, c: EdgeConfig, openApi: OpenApiPublication) =>
            new EdgePlugins(host, c, openApi),
        },
      ],
      exports: [OpenApiPublication],
    };
  }
}
