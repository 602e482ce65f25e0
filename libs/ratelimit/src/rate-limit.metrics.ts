import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import type { StoreErrorReason } from './shared-windows';

/** Where limits are counted: Redis (all gateways), this process while Redis is down, or this process by design. */
export type StoreMode = 'shared' | 'local' | 'embedded';
export const STORE_MODES: readonly StoreMode[] = ['shared', 'local', 'embedded'];

const STORE_ERROR_REASONS: readonly StoreErrorReason[] = ['timeout', 'unavailable', 'error'];

const REQUESTS = 'ratelimit_requests_total';
const STORE_ERRORS = 'ratelimit_store_errors_total';
const STORE_MODE = 'ratelimit_store_mode';

export const rateLimitMetricProviders = [
  makeCounterProvider({
    name: REQUESTS,
    help: 'Requests checked by the rate limiter, by route template and decision (allowed, limited).',
    labelNames: ['route', 'decision'],
  }),
  makeCounterProvider({
    name: STORE_ERRORS,
    help: 'Rate-limit decisions the shared store (Redis) failed to make, by reason; each was made locally instead.',
    labelNames: ['reason'],
  }),
  makeGaugeProvider({
    name: STORE_MODE,
    help: 'Where rate limits are counted: 1 for the current mode (shared = Redis, local = fallback while Redis is down, embedded = no Redis configured), 0 for the others.',
    labelNames: ['mode'],
  }),
];

type Child = { inc(): void };

/** The limiter's Prometheus metrics. Labels are bounded: route templates, two decisions, three modes. */
@Injectable()
export class RateLimitMetrics {
  // Bound children per route: no label hashing per request.
  private readonly byRoute = new Map<string, { allowed: Child; limited: Child }>();

  constructor(
    @InjectMetric(REQUESTS) private readonly requests: Counter<'route' | 'decision'>,
    @InjectMetric(STORE_ERRORS) private readonly errors: Counter<'reason'>,
    @InjectMetric(STORE_MODE) private readonly modeGauge: Gauge<'mode'>,
  ) {
    // Every series exists from the start, so rate() and alerts see the first error too.
    for (const reason of STORE_ERROR_REASONS) errors.inc({ reason }, 0);
  }

  decision(route: string, allowed: boolean): void {
    let children = this.byRoute.get(route);
    if (children === undefined) {
      children = {
        allowed: this.requests.labels({ route, decision: 'allowed' }),
        limited: this.requests.labels({ route, decision: 'limited' }),
      };
      this.byRoute.set(route, children);
    }
    (allowed ? children.allowed : children.limited).inc();
  }

  storeError(reason: StoreErrorReason): void {
    this.errors.inc({ reason });
  }

  mode(current: StoreMode): void {
    for (const mode of STORE_MODES) this.modeGauge.set({ mode }, mode === current ? 1 : 0);
  }
}
