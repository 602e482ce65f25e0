import { authenticatedIdentity, matchedRouteOf } from '@app/http-server';
import {
  type CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  type OnModuleInit,
} from '@nestjs/common';
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
import { type RoutePlan, RoutePlans } from './route-plans';
import { RoutePolicies } from './route-policies';
import type { Verdict } from './verdict';

/** The table route the request being handled matched, by name (undefined: it matched none). */
export function routeOf(context: ExecutionContext): string | undefined {
  return matchedRouteOf(context.switchToHttp().getRequest<FastifyRequest>())?.name;
}

/**
 * The gateway's rate-limit guard, on @nestjs/throttler: the identity is the authenticated one (API
 * key or token subject, see @app/auth) or else the client address (see clientAddress), the key
 * names the policy and the client, and every answer carries the IETF RateLimit-Policy / RateLimit
 * headers; a limited request gets a 429 in the stack's error shape with Retry-After. Decisions are
 * counted per route.
 *
 * It runs on every request, so the per-request work is the least it can be: everything that
 * depends only on the route (policy, key prefix, header text, metric children) is worked out once
 * per route (RoutePlans); the throttler's guard, with its metadata lookups per request, only runs
 * for handlers that carry one of its decorators; and when the store decides synchronously
 * (background mode) the answer is a plain boolean - no promise. (ThrottlerGuard types
 * canActivate as async, hence a guard of our own around it rather than a subclass.)
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnModuleInit {
  private readonly plans: RoutePlans;
  private readonly throttler: DecoratedRoutesGuard;

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() private readonly store: RateLimitStore,
    reflector: Reflector,
    @Inject(RATE_LIMIT_OPTIONS) private readonly limiter: RateLimitOptions,
    policies: RoutePolicies,
    metrics: RateLimitMetrics,
  ) {
    this.plans = new RoutePlans(policies, metrics, (name) => store.keyPrefix(name));
    this.throttler = new DecoratedRoutesGuard(options, store, reflector, (request) =>
      this.decideDecorated(request),
    );
  }

  onModuleInit(): Promise<void> {
    return this.throttler.onModuleInit();
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const req = context.getArgByIndex<FastifyRequest>(0);
    const route = matchedRouteOf(req);
    // A request that matched no route reaches no upstream: it is answered 404/405, never limited.
    if (route === undefined) return true;
    const plan = this.plans.of(route.name, route.label, context.getHandler(), context.getClass());
    if (plan.throttlerDecorated) return this.throttler.canActivate(context);
    const reply = context.getArgByIndex<FastifyReply>(1);
    const { policy } = plan;
    const verdict = this.store.decide(
      plan.keyPrefix + this.identity(req),
      policy.limit,
      policy.windowMs,
    );
    if (verdict instanceof Promise) return verdict.then((v) => answer(plan, reply, v));
    return answer(plan, reply, verdict);
  }

  /** A handler with @Throttle / @SkipThrottle: the throttler resolved its limit and window. */
  private async decideDecorated(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl } = request;
    const req = context.getArgByIndex<FastifyRequest>(0);
    const reply = context.getArgByIndex<FastifyReply>(1);
    const matched = matchedRouteOf(req);
    const route = this.plans.of(
      matched?.name ?? '',
      matched?.label ?? '',
      context.getHandler(),
      context.getClass(),
    );
    const plan = this.plans.withLimit(route, limit, ttl);
    const verdict = await this.store.decide(plan.keyPrefix + this.identity(req), limit, ttl);
    return answer(plan, reply, verdict);
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

/** @nestjs/throttler's own guard, for decorated handlers; each decision is handed back to ours. */
class DecoratedRoutesGuard extends ThrottlerGuard {
  constructor(
    options: ThrottlerModuleOptions,
    store: RateLimitStore,
    reflector: Reflector,
    private readonly decide: (request: ThrottlerRequest) => Promise<boolean>,
  ) {
    super(options, store, reflector);
  }

  protected override handleRequest(request: ThrottlerRequest): Promise<boolean> {
    return this.decide(request);
  }
}

/** Headers and metrics for one decision; throws the 429 when it is a refusal. */
function answer(plan: RoutePlan, reply: FastifyReply, verdict: Verdict): true {
  reply.header('RateLimit-Policy', plan.policyHeader);
  reply.header(
    'RateLimit',
    `${plan.rateHeaderPrefix}${verdict.remaining};t=${verdict.resetSeconds}`,
  );
  if (verdict.allowed) {
    plan.allowed.inc();
    return true;
  }
  plan.limited.inc();
  const { policy } = plan;
  throw new RateLimitExceededException(
    policy.name,
    policy.limit,
    policy.windowMs,
    Math.max(1, verdict.resetSeconds),
  );
}
