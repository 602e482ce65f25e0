import { authenticatedIdentity } from '@app/http-server';
import { ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientAddress } from './client-address';
import { RateLimitExceededException } from './rate-limit-exceeded.exception';
import { RateLimitMetrics } from './rate-limit.metrics';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions } from './rate-limit.options';
import type { RateLimitStore } from './rate-limit.store';
import { RoutePolicies } from './route-policies';

/** The route template of the request being handled (a guard only runs for matched routes). */
export function routeOf(context: ExecutionContext): string | undefined {
  return context.switchToHttp().getRequest<FastifyRequest>().routeOptions.url;
}

/**
 * @nestjs/throttler's guard, specialised for the gateway: the identity is the authenticated one (API
 * key or token subject, see @app/auth) or else the client address (see clientAddress), the key names the policy and the client, and every answer carries the IETF
 * RateLimit-Policy / RateLimit headers; a limited request gets a 429 in the stack's error shape with
 * Retry-After. Decisions are counted per route.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly store: RateLimitStore,
    reflector: Reflector,
    @Inject(RATE_LIMIT_OPTIONS) private readonly limiter: RateLimitOptions,
    private readonly policies: RoutePolicies,
    private readonly metrics: RateLimitMetrics,
  ) {
    super(options, store, reflector);
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl } = request;
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const route = req.routeOptions.url ?? '';
    const policy = this.policies.of(route);

    const key = policy.keyPrefix + this.identity(req);
    const hit = await this.store.increment(key, ttl, limit);

    const name = `"${policy.name}"`;
    reply.header('RateLimit-Policy', `${name};q=${limit};w=${Math.ceil(ttl / 1000)}`);
    reply.header('RateLimit', `${name};r=${hit.remaining};t=${hit.resetSeconds}`);
    this.metrics.decision(route, !hit.isBlocked);
    if (hit.isBlocked)
      throw new RateLimitExceededException(policy.name, limit, ttl, Math.max(1, hit.resetSeconds));
    return true;
  }

  /** Who is limited: the authenticated identity, or else the client address. */
  private identity(request: FastifyRequest): string {
    const authenticated = authenticatedIdentity(request);
    if (authenticated !== undefined) return authenticated;
    return clientAddress(
      request.socket.remoteAddress,
      request.headers['x-forwarded-for'],
      this.limiter.trustedProxyHops,
    );
  }
}
