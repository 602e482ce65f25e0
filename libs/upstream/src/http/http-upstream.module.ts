import { APP_CONFIG } from '@app/env';
import { HttpModule, HttpService } from '@nestjs/axios';
import {
  type DynamicModule,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { trafficPolicy } from '../traffic-policy';
import { UpstreamCoreModule } from '../upstream-core.module';
import type { UpstreamEnv } from '../upstream-env';
import { UpstreamMetrics } from '../upstream-metrics';
import { UpstreamStates } from '../upstream-states';
import { HttpUpstream } from './http-upstream';
import { UndiciTransport } from './undici-adapter';
import { shapeForUpstreamCalls, UPSTREAM_AXIOS_DEFAULTS } from './upstream-axios';

export interface HttpUpstreamDefinition {
  /** The upstream's name, e.g. "webapp-1". */
  name: string;
  /** Its settings, read from the gateway configuration. */
  settings: (config: UpstreamEnv) => { url: string; connectTimeoutMs: number; timeoutMs: number };
}

const DEFINITION = Symbol('HttpUpstreamDefinition');

/** Resolves the upstream's names before the gateway serves, and stops its timers and sockets. */
@Injectable()
class HttpUpstreamLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly upstream: HttpUpstream,
    private readonly transport: UndiciTransport,
  ) {}

  onModuleInit(): Promise<void> {
    return this.upstream.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.upstream.stop();
    await this.transport.close();
  }
}

/**
 * One HTTP upstream, injectable as `HttpUpstream` in the importing module:
 * `imports: [HttpUpstreamModule.register({ name: 'webapp-1', settings: (c) => ({ ... }) })]`.
 * It brings its own @nestjs/axios instance, whose transport is the upstream's undici keep-alive pool.
 */
@Module({})
export class HttpUpstreamModule {
  static register(definition: HttpUpstreamDefinition): DynamicModule {
    return {
      module: HttpUpstreamModule,
      imports: [UpstreamCoreModule, HttpModule.register(UPSTREAM_AXIOS_DEFAULTS)],
      providers: [
        { provide: DEFINITION, useValue: definition },
        {
          provide: UndiciTransport,
          useFactory: (def: HttpUpstreamDefinition, config: UpstreamEnv) =>
            new UndiciTransport(def.settings(config).connectTimeoutMs),
          inject: [DEFINITION, APP_CONFIG],
        },
        {
          provide: HttpUpstream,
          useFactory: (
            def: HttpUpstreamDefinition,
            config: UpstreamEnv,
            http: HttpService,
            transport: UndiciTransport,
            metrics: UpstreamMetrics,
            states: UpstreamStates,
          ) => {
            const { url, timeoutMs } = def.settings(config);
            // This module's own axios instance: its requests travel over the upstream's undici pool.
            shapeForUpstreamCalls(http.axiosRef, transport.adapter);
            return new HttpUpstream(
              http.axiosRef,
              { name: def.name, url, timeoutMs, policy: trafficPolicy(config) },
              metrics,
              states,
            );
          },
          inject: [
            DEFINITION,
            APP_CONFIG,
            HttpService,
            UndiciTransport,
            UpstreamMetrics,
            UpstreamStates,
          ],
        },
        HttpUpstreamLifecycle,
      ],
      exports: [HttpUpstream],
    };
  }
}
