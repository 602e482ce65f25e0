import {
  errorBody,
  isPublicRoute,
  matchedRouteOf,
  setAuthenticatedIdentity,
} from '@app/http-server';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AuthFailure } from './auth-failure';
import { AuthMetrics } from './auth.metrics';
import { Authenticator } from './authenticator';
import { type AuthPolicy, RouteAuthPolicies } from './route-auth-policies';

const REALM = 'realm="gateway"';

/** RFC 6750 challenges: which scheme to use, and with a credential sent, what was wrong with it. */
function challenge(failure: AuthFailure): string {
  if (failure.reason === 'forbidden')
    return `Bearer ${REALM}, error="insufficient_scope", scope="${failure.scopes.join(' ')}"`;
  if (failure.reason === 'missing') return `Bearer ${REALM}`;
  return `Bearer ${REALM}, error="invalid_token"`;
}

/**
 * Authentication as a Fastify onRequest hook of the public listener: it runs before the body is
 * read and before any Nest guard, so an unauthenticated request costs no body parsing, and the
 * rate limiter (a guard) already knows the identity. The policy is the matched table route's
 * (@app/http-server matchedRouteOf); unmatched paths (404/405) pass: they reach no upstream and
 * answer the same for everyone.
 */
@Injectable()
export class AuthHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly policies: RouteAuthPolicies,
    private readonly authenticator: Authenticator,
    private readonly metrics: AuthMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Callback style: a route without authentication (the default) passes synchronously, with
    // no promise per request; the table may protect routes on any reload, so the hook is always there.
    fastify.addHook('onRequest', (request, reply, done) => {
      const policy = this.policyOf(request);
      if (policy === undefined) return done();
      this.check(request, reply, policy).then(() => {
        if (!reply.sent) done();
      }, done);
    });
  }

  /** The matched route's policy, or undefined when the request needs no credential. */
  private policyOf(request: FastifyRequest): AuthPolicy | undefined {
    const route = matchedRouteOf(request);
    if (route === undefined || request.method === 'OPTIONS' || isPublicRoute(request)) return;
    const policy = this.policies.of(route.name);
    return policy.scheme === 'none' ? undefined : policy;
  }

  private async check(
    request: FastifyRequest,
    reply: FastifyReply,
    policy: AuthPolicy,
  ): Promise<void> {
    try {
      const identity = await this.authenticator.authenticate(policy, request.headers);
      if (identity !== undefined) setAuthenticatedIdentity(request, identity);
    } catch (err) {
      if (!(err instanceof AuthFailure)) throw err;
      this.metrics.failure(err.reason);
      if (err.status === 503) reply.header('retry-after', '5');
      else reply.header('www-authenticate', challenge(err));
      await reply
        .status(err.status)
        .send(errorBody(err.status, err.message, { reason: err.reason }));
    }
  }
}
