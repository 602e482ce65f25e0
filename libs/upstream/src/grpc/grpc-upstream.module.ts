import { APP_CONFIG } from '@app/env';
import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { trafficPolicy } from '../traffic-policy';
import { UpstreamCoreModule } from '../upstream-core.module';
import type { UpstreamEnv } from '../upstream-env';
import { UpstreamMetrics } from '../upstream-metrics';
import { UpstreamStates } from '../upstream-states';
import { GrpcUpstream, type IdempotentMethod } from './grpc-upstream';

export interface GrpcUpstreamDefinition {
  /** The upstream's name, e.g. "rpc-app-1". */
  name: string;
  /** Methods safe to retry (they change nothing); all others are never retried. */
  idempotentMethods: readonly IdempotentMethod[];
  /** Its settings, read from the gateway configuration. */
  settings: (config: UpstreamEnv) => { target: string; timeoutMs: number };
}

/** Closes the upstream's channels once the listeners are closed. */
@Injectable()
class GrpcUpstreamLifecycle implements OnApplicationShutdown {
  constructor(private readonly upstream: GrpcUpstream) {}

  onApplicationShutdown(): void {
    this.upstream.stop();
  }
}

/**
 * One gRPC upstream, injectable as `GrpcUpstream` in the importing module:
 * `imports: [GrpcUpstreamModule.register({ name: 'rpc-app-1', idempotentMethods, settings })]`.
 */
@Module({})
export class GrpcUpstreamModule {
  static register(definition: GrpcUpstreamDefinition): DynamicModule {
    return {
      module: GrpcUpstreamModule,
      imports: [UpstreamCoreModule],
      providers: [
        {
          provide: GrpcUpstream,
          useFactory: (config: UpstreamEnv, metrics: UpstreamMetrics, states: UpstreamStates) => {
            const { target, timeoutMs } = definition.settings(config);
            return new GrpcUpstream(
              {
                name: definition.name,
                target,
                timeoutMs,
                idempotentMethods: definition.idempotentMethods,
                policy: trafficPolicy(config),
              },
              metrics,
              states,
            );
          },
          inject: [APP_CONFIG, UpstreamMetrics, UpstreamStates],
        },
        GrpcUpstreamLifecycle,
      ],
      exports: [GrpcUpstream],
    };
  }
}
