import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { BackgroundBudgets } from './background-budgets';
import { BudgetSync } from './budget-sync';
import { MemoryWindows } from './memory-windows';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions } from './rate-limit.options';
import { RateLimitMetrics, type StoreMode } from './rate-limit.metrics';
import { SHARED_LIMITS, type SharedLimits } from './shared-limits';
import type { SharedWindows } from './shared-windows';
import { PROBE_INTERVAL_MS, StoreFailover } from './store-failover';
import { type Verdict, verdictOfHit } from './verdict';

/**
 * Per-request mode probes with a decision on this key: the same script as a real decision, so a
 * Redis that answers PING but cannot run it (out of memory, say) does not make the gateway flap.
 */
const PROBE_KEY = 'ratelimit:probe';
/** How often ended in-memory windows and budgets are dropped. */
const SWEEP_INTERVAL_MS = 10_000;

/** The record a throttler storage returns (the package does not export its type). */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** A throttler storage record plus what the response headers need. */
interface RateLimitRecord extends ThrottlerStorageRecord {
  /** The limit applied: the policy's, or its local share while Redis is unreachable. */
  limit: number;
  remaining: number;
  /** Seconds until the window ends (may be 0 in its last millisecond). */
  resetSeconds: number;
}

/**
 * The limiter's storage: decides each request. With Redis configured and healthy a limit holds
 * across every gateway replica, in one of two ways (RATE_LIMIT_SYNC):
 *
 * - `background`: each request is decided at once from tokens this gateway holds
 *   (BackgroundBudgets); BudgetSync sends counts and claims to Redis in one batched round trip
 *   every RATE_LIMIT_SYNC_INTERVAL_MS, or as soon as a budget runs out
 *   (docs/adr/0005-background-rate-limit-sync.md);
 * - `per-request`: one Redis script per request, exact.
 *
 * Either way StoreFailover switches it to per-gateway counting (RATE_LIMIT_LOCAL_SHARE of each
 * limit) the moment a Redis call fails or exceeds its timeout, and back when a probe succeeds. No
 * request ever waits for Redis longer than its command timeout (in background mode, not at all),
 * and none fails because of it.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly local = new MemoryWindows();
  private readonly failover: StoreFailover;
  /** Background mode only. */
  private readonly budgetSync: BudgetSync | undefined;
  private started: Promise<void> | undefined;
  private closed = false;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: RateLimitOptions,
    @Inject(SHARED_LIMITS) private readonly shared: SharedLimits | null,
    metrics: RateLimitMetrics,
  ) {
    this.failover = new StoreFailover(shared, options.localShare, metrics, () => this.probe());
    if (shared && options.sync === 'background')
      this.budgetSync = new BudgetSync(
        new BackgroundBudgets(),
        shared,
        options.syncIntervalMs,
        metrics,
        this.failover,
      );
  }

  get mode(): StoreMode {
    return this.failover.mode;
  }

  /** For a per-route plan: the prefix of a policy's keys in this store. */
  keyPrefix(policyName: string): string {
    return this.budgetSync ? `ratelimit:budget:${policyName}:` : `ratelimit:${policyName}:`;
  }

  /**
   * Decides one request: synchronously, or, in per-request mode while Redis is in use, after one
   * Redis call (never rejects). Each verdict is a fresh value (see Verdict).
   */
  decide(key: string, limit: number, windowMs: number): Verdict | Promise<Verdict> {
    if (this.failover.mode === 'shared') {
      if (this.budgetSync) return this.decideFromBudget(this.budgetSync, key, limit, windowMs);
      if (this.shared) return this.decideInRedis(this.shared, key, limit, windowMs);
    }
    return this.decideLocally(key, limit, windowMs);
  }

  /** ThrottlerStorage, for routes that use @nestjs/throttler's own decorators (see the guard). */
  async increment(key: string, ttl: number, limit: number): Promise<RateLimitRecord> {
    const { allowed, limit: applied, remaining, resetSeconds } = await this.decide(key, limit, ttl);
    return {
      totalHits: applied - remaining + (allowed ? 0 : 1),
      timeToExpire: resetSeconds,
      isBlocked: !allowed,
      timeToBlockExpire: allowed ? 0 : resetSeconds,
      limit: applied,
      remaining,
      resetSeconds,
    };
  }

  // Nest calls the hooks once per provider, and this instance is also the throttler's storage
  // provider: both hooks are idempotent.
  onModuleInit(): Promise<void> {
    this.started ??= this.start();
    return this.started;
  }

  // Nest runs it after the listeners closed: the budgets' last hand-back follows the last decision.
  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    this.failover.stop();
    await this.budgetSync?.leave();
    this.shared?.close();
  }

  private decideFromBudget(
    budgetSync: BudgetSync,
    key: string,
    limit: number,
    windowMs: number,
  ): Verdict {
    const budgets = budgetSync.budgets;
    const allowed = budgets.admit(key, limit, windowMs, Date.now());
    budgetSync.afterDecision();
    return {
      allowed,
      limit,
      remaining: budgets.remaining,
      resetSeconds: Math.ceil(budgets.resetMs / 1000),
    };
  }

  private async decideInRedis(
    shared: SharedWindows,
    key: string,
    limit: number,
    windowMs: number,
  ): Promise<Verdict> {
    try {
      return verdictOfHit(await shared.hit(key, windowMs), limit);
    } catch (err) {
      this.failover.failed(err);
    }
    return this.decideLocally(key, limit, windowMs);
  }

  private decideLocally(key: string, limit: number, windowMs: number): Verdict {
    return verdictOfHit(this.local.hit(key, windowMs), this.failover.localLimit(limit));
  }

  private async start(): Promise<void> {
    // Timers are created here, outside any request, so their log lines carry no request's id.
    this.sweepTimer = setInterval(() => {
      const now = Date.now();
      this.local.sweep(now);
      this.budgetSync?.budgets.sweep(now);
    }, SWEEP_INTERVAL_MS).unref();
    if (!this.shared) return this.failover.embedded();
    // Readiness never waits for Redis: if it is down at start, the gateway starts limiting locally.
    let failure = await this.shared.connect();
    // Background mode needs the gateway count before its first decision.
    if (failure === undefined && this.budgetSync) failure = await this.budgetSync.join();
    if (this.closed) return;
    this.failover.begin(failure, this.options.sync);
    this.budgetSync?.start();
  }

  /** One probe while local: in background mode an empty sync, else a decision on a probe key. */
  private async probe(): Promise<boolean> {
    if (this.budgetSync) return (await this.budgetSync.heartbeat()) === undefined;
    try {
      await this.shared?.hit(PROBE_KEY, PROBE_INTERVAL_MS);
      return this.shared !== null;
    } catch {
      return false;
    }
  }
}
