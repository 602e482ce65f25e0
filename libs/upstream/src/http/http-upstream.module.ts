import { APP_CONFIG, type GatewayConfig } from '@app/config';
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
import { UpstreamMetrics } from '../upstream-metrics';
import { UpstreamStates } from '../upstream-states';
import { HttpUpstream } from './http-upstream';
import { UpstreamAgent } from './upstream-agent';

export interface HttpUpstreamDefinition {
  /** The upstream's name, e.g. "webapp-1". */
  name: string;
  /** Its settings, read from the gateway configuration. */
  settings: (config: GatewayConfig) => { url: string; connectTimeoutMs: number; timeoutMs: number };
}

const DEFINITION = Symbol('HttpUpstreamDefinition');

/** Resolves the upstream's names before the gateway serves, and stops its timers and sockets. */
@Injectable()
class HttpUpstreamLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly upstream: HttpUpstream,
    private readonly http: HttpService,
  ) {}

  onModuleInit(): Promise<void> {
    return this.upstream.start();
  }

  onApplicationShutdown(): void {
    this.upstream.stop();
    (this.http.axiosRef.defaults.httpAgent as UpstreamAgent).destroy();
  }
}

/**
 * One HTTP upstream, injectable as `HttpUpstream` in the importing module:
 * `imports: [HttpUpstreamModule.register({ name: 'webapp-1', settings: (c) => ({ ... }) })]`.
 * It brings its own @nestjs/axios instance with the upstream's keep-alive pool.
 */
@Module({})
export class HttpUpstreamModule {
  static register(definition: HttpUpstreamDefinition): DynamicModule {
    return {
      module: HttpUpstreamModule,
      imports: [
        UpstreamCoreModule,
        HttpModule.registerAsync({
          useFactory: (config: GatewayConfig) => ({
            httpAgent: new UpstreamAgent(definition.settings(config).connectTimeoutMs),
          }),
          inject: [APP_CONFIG],
        }),
      ],
      providers: [
        { provide: DEFINITION, useValue: definition },
        {
          provide: HttpUpstream,
          useFactory: (
            def: HttpUpstreamDefinition,
            config: GatewayConfig,
            http: HttpService,
            metrics: UpstreamMetrics,
            states: UpstreamStates,
          ) => {
            const { url, timeoutMs } = def.settings(config);
            return new HttpUpstream(
              http.axiosRef,
              { name: def.name, url, timeoutMs, policy: trafficPolicy(config) },
              metrics,
              states,
            );
          },
          inject: [DEFINITION, APP_CONFIG, HttpService, UpstreamMetrics, UpstreamStates],
        },
        HttpUpstreamLifecycle,
      ],
      exports: [HttpUpstream],
    };
  }
}
