import { ConfigError } from '@app/env';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, HTTPMethods } from 'fastify';
import { RoutePolicies } from './route-policies';

/**
 * Stops start-up when RATE_LIMIT_ROUTES names a route the gateway does not serve: a typo would
 * otherwise leave that route on the default limit without a word.
 */
@Injectable()
export class ConfiguredRoutesCheck implements OnApplicationBootstrap {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly policies: RoutePolicies,
  ) {}

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const served = (url: string) =>
      fastify.supportedMethods.some((method) =>
        fastify.hasRoute({ method: method as HTTPMethods, url }),
      );
    const unknown = this.policies.routes.filter((route) => !served(route));
    if (unknown.length > 0)
      throw new ConfigError(
        `Invalid configuration: RATE_LIMIT_ROUTES: the gateway serves no route ${unknown.join(', ')}`,
      );
  }
}
