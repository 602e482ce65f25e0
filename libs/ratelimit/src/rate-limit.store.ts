import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { MemoryWindows } from './memory-windows';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions } from './rate-limit.options';
import { RateLimitMetrics, type StoreMode } from './rate-limit.metrics';
import { type SharedWindows, StoreError, type WindowHit } from './shared-windows';

export const SHARED_WINDOWS = Symbol('SHARED_WINDOWS');

/** How often a gateway that limits locally checks whether Redis is back. */
export const PROBE_INTERVAL_MS = 1000;
/**
 * The probe counts a request on this key: the same script as a real decision, so a Redis that
 * answers PING but cannot run it (out of memory, say) does not make the gateway flap.
 */
const PROBE_KEY = 'ratelimit:probe';
/** How often ended in-memory windows are dropped. */
const SWEEP_INTERVAL_MS = 10_000;

/** The record a throttler storage returns (the package does not export its type). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** A throttler storage record plus what the response headers need. */
export interface RateLimitRecord extends ThrottlerStorageRecord {
  /** The limit applied: the policy's, or its local share while Redis is unreachable. */
  limit: number;
  remaining: number;
  /** Seconds until the window ends (may be 0 in its last millisecond). */
  resetSeconds: number;
}

/**
 * The limiter's storage: counts in Redis when one is configured and healthy, so a limit holds across
 * every gateway replica; fails open to per-gateway counting (RATE_LIMIT_LOCAL_SHARE of each limit)
 * the moment a Redis call fails or exceeds its timeout, and returns to Redis when a probe succeeds.
 * Each switch is logged once and shown by `ratelimit_store_mode`; no request ever waits for Redis
 * longer than its command timeout, and none fails because of it.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new MemoryWindows();
  private current: StoreMode;
  private started: Promise<void> | undefined;
  private closed = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: RateLimitOptions,
    @Inject(SHARED_WINDOWS) private readonly shared: SharedWindows | null,
    private readonly metrics: RateLimitMetrics,
  ) {
    this.current = shared ? 'local' : 'embedded';
  }

  get mode(): StoreMode {
    return this.current;
  }

  async increment(key: string, ttl: number, limit: number): Promise<RateLimitRecord> {
    if (this.current === 'shared' && this.shared) {
      try {
        return record(await this.shared.hit(key, ttl), limit);
      } catch (err) {
        this.metrics.storeError(err instanceof StoreError ? err.reason : 'error');
        this.fallBack(err);
      }
    }
    const applied =
      this.current === 'embedded' ? limit : Math.ceil(limit * this.options.localShare);
    return record(this.local.hit(key, ttl), applied);
  }

  // Nest calls the hooks once per provider, and this instance is also the throttler's storage
  // provider: both hooks are idempotent.
  onModuleInit(): Promise<void> {
    this.started ??= this.start();
    return this.started;
  }

  onApplicationShutdown(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probeTimer);
    clearInterval(this.sweepTimer);
    this.shared?.close();
  }

  private async start(): Promise<void> {
    // Timers are created here, outside any request, so their log lines carry no request's id.
    this.sweepTimer = setInterval(() => this.local.sweep(), SWEEP_INTERVAL_MS).unref();
    if (!this.shared) {
      this.metrics.mode('embedded');
      this.logger.log(
        {},
        'no REDIS_URL: rate limits are counted by each gateway on its own (embedded store)',
      );
      return;
    }
    // Readiness never waits for Redis: if it is down at start, the gateway starts limiting locally.
    const failure = await this.shared.connect();
    if (this.closed) return;
    // From now on every (re)connection triggers a probe at once, rather than at the next interval.
    this.shared.onReady(() => void this.probe());
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS).unref();
    if (failure === undefined) {
      this.use('shared');
      this.logger.log({ store: this.shared.target }, 'rate limits are shared through Redis');
    } else {
      this.use('local');
      this.warnLocal(`unreachable at start: ${failure.message}`);
    }
  }

  private fallBack(err: unknown): void {
    if (this.current !== 'shared' || this.closed) return;
    this.use('local');
    this.warnLocal((err as Error)?.message ?? String(err));
  }

  private warnLocal(reason: string): void {
    this.logger.warn(
      { store: this.shared?.target, reason, local_share: this.options.localShare },
      'rate-limit store unavailable: each gateway now enforces RATE_LIMIT_LOCAL_SHARE of every limit on its own until Redis is back',
    );
  }

  /** While local: one probe hit (within the command timeout); success switches back to Redis. */
  private async probe(): Promise<void> {
    if (this.current !== 'local' || this.closed || !this.shared) return;
    try {
      await this.shared.hit(PROBE_KEY, PROBE_INTERVAL_MS);
    } catch {
      return; // still down: the next interval tries again
    }
    if (this.current !== 'local' || this.closed) return;
    this.use('shared');
    this.logger.warn(
      { store: this.shared.target },
      'rate-limit store available again: limits are shared across gateways again',
    );
  }

  private use(mode: StoreMode): void {
    this.current = mode;
    this.metrics.mode(mode);
  }
}

function record(hit: WindowHit, limit: number): RateLimitRecord {
  const isBlocked = hit.count > limit;
  const resetSeconds = Math.ceil(hit.resetMs / 1000);
  return {
    totalHits: hit.count,
    timeToExpire: resetSeconds,
    isBlocked,
    timeToBlockExpire: isBlocked ? resetSeconds : 0,
    limit,
    remaining: Math.max(0, limit - hit.count),
    resetSeconds,
  };
}
