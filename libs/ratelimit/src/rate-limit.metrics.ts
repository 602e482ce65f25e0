import { Injectable } from '@nestjs/common';
import {
  InjectMetric,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type { StoreErrorReason } from './shared-windows';

/** Where limits are counted: Redis (all gateways), this process while Redis is down, or this process by design. */
export type StoreMode = 'shared' | 'local' | 'embedded';
const STORE_MODES: readonly StoreMode[] = ['shared', 'local', 'embedded'];

const STORE_ERROR_REASONS: readonly StoreErrorReason[] = ['timeout', 'unavailable', 'error'];

const REQUESTS = 'ratelimit_requests_total';
const STORE_ERRORS = 'ratelimit_store_errors_total';
const STORE_MODE = 'ratelimit_store_mode';
const SYNCS = 'ratelimit_sync_total';
const SYNC_DURATION = 'ratelimit_sync_duration_seconds';
const SYNC_GATEWAYS = 'ratelimit_sync_gateways';

/** How a background sync ended: answered, or failed for one of the store's reasons. */
type SyncOutcome = 'ok' | StoreErrorReason;
const SYNC_OUTCOMES: readonly SyncOutcome[] = ['ok', ...STORE_ERROR_REASONS];

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
  makeCounterProvider({
    name: SYNCS,
    help: 'Background synchronisations with Redis (RATE_LIMIT_SYNC=background), one round trip each, by outcome (ok, timeout, unavailable, error).',
    labelNames: ['outcome'],
  }),
  makeHistogramProvider({
    name: SYNC_DURATION,
    help: 'Duration of background synchronisations with Redis, answered or failed.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  }),
  makeGaugeProvider({
    name: SYNC_GATEWAYS,
    help: 'Gateways sharing each limit, as the last background sync counted them (each takes its share of a new window).',
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
    @InjectMetric(SYNCS) private readonly syncs: Counter<'outcome'>,
    @InjectMetric(SYNC_DURATION) private readonly syncDuration: Histogram,
    @InjectMetric(SYNC_GATEWAYS) private readonly syncGateways: Gauge,
  ) {
    // Every series exists from the start, so rate() and alerts see the first error too.
    for (const reason of STORE_ERROR_REASONS) errors.inc({ reason }, 0);
    for (const outcome of SYNC_OUTCOMES) syncs.inc({ outcome }, 0);
  }

  /** The counters of one route's decisions, bound once (the guard keeps them per route). */
  decisionsOf(route: string): { allowed: Child; limited: Child } {
    let children = this.byRoute.get(route);
    if (children === undefined) {
      children = {
        allowed: this.requests.labels({ route, decision: 'allowed' }),
        limited: this.requests.labels({ route, decision: 'limited' }),
      };
      this.byRoute.set(route, children);
    }
    return children;
  }

  sync(outcome: SyncOutcome, durationMs: number, gateways?: number): void {
    this.syncs.inc({ outcome });
    this.syncDuration.observe(durationMs / 1000);
    if (gateways !== undefined) this.syncGateways.set(gateways);
  }

  storeError(reason: StoreErrorReason): void {
    this.errors.inc({ reason });
  }

  mode(current: StoreMode): void {
    for (const mode of STORE_MODES) this.modeGauge.set({ mode }, mode === current ? 1 : 0);
  }
}
