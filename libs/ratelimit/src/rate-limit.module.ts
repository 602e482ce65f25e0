import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { RateLimitGuard, routeOf } from './rate-limit.guard';
import { RateLimitMetrics, rateLimitMetricProviders } from './rate-limit.metrics';
import type { RateLimitEnv } from './rate-limit-env';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions, rateLimitOptions } from './rate-limit.options';
import { RateLimitStore } from './rate-limit.store';
import { RedisLimits } from './redis-limits';
import { DEFAULT_POLICY, RoutePolicies } from './route-policies';
import { SHARED_LIMITS } from './shared-limits';

/** The store and its collaborators: a module of its own so that ThrottlerModule can inject it. */
@Module({})
class RateLimitStoreModule {
  static forRoot(options: RateLimitOptions): DynamicModule {
    return {
      module: RateLimitStoreModule,
      providers: [
        { provide: RATE_LIMIT_OPTIONS, useValue: options },
        {
          provide: SHARED_LIMITS,
          useFactory: () => (options.redis ? new RedisLimits(options.redis) : null),
        },
        ...rateLimitMetricProviders,
        RateLimitMetrics,
        RateLimitStore,
      ],
      exports: [RATE_LIMIT_OPTIONS, RateLimitMetrics, RateLimitStore],
    };
  }
}

/**
 * Rate limiting for every route of the app that imports it (the gateway's public listener; the
 * admin listener is a separate app and never limited): @nestjs/throttler with our storage, which
 * counts in Redis across replicas (in the background, or one call per request: RATE_LIMIT_SYNC) and
 * fails open to local counting (see RateLimitStore).
 */
@Module({})
export class RateLimitModule {
  static forRoot(config: RateLimitEnv): DynamicModule {
    const options = rateLimitOptions(config);
    const policies = new RoutePolicies(options);
    const store = RateLimitStoreModule.forRoot(options);
    return {
      module: RateLimitModule,
      // Global: the gateway's data plane hands every route table's budgets to RoutePolicies.
      global: true,
      imports: [
        store,
        ThrottlerModule.forRootAsync({
          imports: [store],
          inject: [RateLimitStore],
          useFactory: (storage: RateLimitStore) => ({
            storage,
            throttlers: [
              {
                name: DEFAULT_POLICY,
                limit: (context) => policies.of(routeOf(context)).limit,
                ttl: (context) => policies.of(routeOf(context)).windowMs,
              },
            ],
          }),
        }),
      ],
      providers: [
        { provide: RoutePolicies, useValue: policies },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      // The routes' own budgets come with every route table (RoutePolicies.replace).
      exports: [RoutePolicies],
    };
  }
}
