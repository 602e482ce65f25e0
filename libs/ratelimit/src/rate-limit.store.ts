import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackgroundBudgets } from './background-budgets';
import { MemoryWindows } from './memory-windows';
import { RATE_LIMIT_OPTIONS, type RateLimitOptions } from './rate-limit.options';
import { RateLimitMetrics, type StoreMode } from './rate-limit.metrics';
import type { SharedBudgets, SyncReply } from './shared-budgets';
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
/**
 * Background mode: an idle gateway still syncs (an empty batch) this often, so the others learn
 * soon that it joined (their shares of new windows shrink) and that it is still there.
 */
export const HEARTBEAT_INTERVAL_MS = 250;
/** ... and is no longer counted among the gateways after this long without a sync. */
export const HEARTBEAT_TTL_MS = 3000;
/**
 * A starting gateway stays unready this long after its first heartbeat: by then every other
 * gateway has counted it, so none takes a share sized for one gateway fewer once it serves.
 */
export const JOIN_DELAY_MS = 2 * HEARTBEAT_INTERVAL_MS;

/** Redis as the store uses it: per-request windows and background budgets. */
export type SharedStore = SharedWindows & SharedBudgets;

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

/** One decision, as the guard needs it. */
export interface Verdict {
  allowed: boolean;
  /** The limit applied: the policy's, or its local share while Redis is unreachable. */
  limit: number;
  remaining: number;
  /** Seconds until the window ends (may be 0 in its last millisecond). */
  resetSeconds: number;
}

/**
 * The limiter's storage. With Redis configured and healthy a limit holds across every gateway
 * replica, in one of two ways (RATE_LIMIT_SYNC):
 *
 * - `background`: each request is decided at once from tokens this gateway holds; counts and
 *   claims go to Redis in one batched round trip every RATE_LIMIT_SYNC_INTERVAL_MS, or as soon as
 *   a budget runs out (BackgroundBudgets; docs/adr/0005-background-rate-limit-sync.md);
 * - `per-request`: one Redis script per request, exact.
 *
 * Either way it fails open to per-gateway counting (RATE_LIMIT_LOCAL_SHARE of each limit) the
 * moment a Redis call fails or exceeds its timeout, and returns to Redis when a probe succeeds.
 * Each switch is logged once and shown by `ratelimit_store_mode`; no request ever waits for Redis
 * longer than its command timeout (in background mode, not at all), and none fails because of it.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly local = new MemoryWindows();
  private readonly budgets: BackgroundBudgets | undefined;
  private readonly gatewayId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** Reused by every synchronous decision: read by the guard before the next one. */
  private readonly verdict: Verdict = newVerdict();
  private current: StoreMode;
  private started: Promise<void> | undefined;
  private closed = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing = false;
  private syncSoon = false;
  private lastSyncAt = 0;
  /**
   * An early sync, asked for by a request whose budget ran out, runs in the context this store was
   * made in: its Redis span and log lines belong to no request (the batch serves every client).
   */
  private readonly syncOutsideRequests = AsyncResource.bind(() => {
    this.syncSoon = false;
    this.sync();
  });
  /** Gateways last counted, kept for a heartbeat TTL when fewer appear (e.g. Redis restarted). */
  private peakGateways = { count: 1, seenAt: 0 };

  constructor(
    @Inject(RATE_LIMIT_OPTIONS) private readonly options: RateLimitOptions,
    @Inject(SHARED_WINDOWS) private readonly shared: SharedStore | null,
    private readonly metrics: RateLimitMetrics,
  ) {
    this.current = shared ? 'local' : 'embedded';
    if (shared && options.sync === 'background') this.budgets = new BackgroundBudgets();
  }

  get mode(): StoreMode {
    return this.current;
  }

  /** Whether decisions in shared mode are made locally, synchronised in the background. */
  get background(): boolean {
    return this.budgets !== undefined;
  }

  /** For a per-route plan: the prefix of a policy's keys in this store. */
  keyPrefix(policyName: string): string {
    return this.budgets ? `ratelimit:budget:${policyName}:` : `ratelimit:${policyName}:`;
  }

  /**
   * Decides one request: synchronously (the returned verdict is reused by the next decision), or,
   * in per-request mode while Redis is in use, after one Redis call (never rejects).
   */
  decide(key: string, limit: number, windowMs: number): Verdict | Promise<Verdict> {
    if (this.current === 'shared') {
      if (this.budgets) return this.decideFromBudget(this.budgets, key, limit, windowMs);
      return this.decideInRedis(key, limit, windowMs);
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

  onApplicationShutdown(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.probeTimer);
    clearInterval(this.sweepTimer);
    clearInterval(this.syncTimer);
    this.shared?.close();
  }

  private decideFromBudget(
    budgets: BackgroundBudgets,
    key: string,
    limit: number,
    windowMs: number,
  ): Verdict {
    const verdict = this.verdict;
    verdict.allowed = budgets.admit(key, limit, windowMs, Date.now());
    verdict.limit = limit;
    verdict.remaining = budgets.remaining;
    verdict.resetSeconds = Math.ceil(budgets.resetMs / 1000);
    if (budgets.syncWanted && !this.syncSoon) {
      this.syncSoon = true;
      setImmediate(this.syncOutsideRequests);
    }
    return verdict;
  }

  private async decideInRedis(key: string, limit: number, windowMs: number): Promise<Verdict> {
    if (this.shared) {
      try {
        return verdictOf(await this.shared.hit(key, windowMs), limit, newVerdict());
      } catch (err) {
        this.metrics.storeError(err instanceof StoreError ? err.reason : 'error');
        this.fallBack(err);
      }
    }
    // Not the reused verdict: this one is read after an await, when others may have decided.
    return this.decideLocally(key, limit, windowMs, newVerdict());
  }

  private decideLocally(
    key: string,
    limit: number,
    windowMs: number,
    into: Verdict = this.verdict,
  ): Verdict {
    const applied =
      this.current === 'embedded' ? limit : Math.ceil(limit * this.options.localShare);
    return verdictOf(this.local.hit(key, windowMs), applied, into);
  }

  private async start(): Promise<void> {
    // Timers are created here, outside any request, so their log lines carry no request's id.
    this.sweepTimer = setInterval(() => {
      const now = Date.now();
      this.local.sweep(now);
      this.budgets?.sweep(now);
    }, SWEEP_INTERVAL_MS).unref();
    if (!this.shared) {
      this.metrics.mode('embedded');
      this.logger.log(
        {},
        'no REDIS_URL: rate limits are counted by each gateway on its own (embedded store)',
      );
      return;
    }
    // Readiness never waits for Redis: if it is down at start, the gateway starts limiting locally.
    let failure = await this.shared.connect();
    // Background mode needs the gateway count before its first decision: a heartbeat, time for
    // the others to count this gateway, and one more heartbeat to count those that started with it.
    if (failure === undefined && this.budgets) {
      failure = await this.heartbeat();
      if (failure === undefined) {
        await sleep(JOIN_DELAY_MS);
        failure = await this.heartbeat();
      }
    }
    if (this.closed) return;
    // From now on every (re)connection triggers a probe at once, rather than at the next interval.
    this.shared.onReady(() => void this.probe());
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS).unref();
    if (this.budgets)
      this.syncTimer = setInterval(() => this.sync(), this.options.syncIntervalMs).unref();
    if (failure === undefined) {
      this.use('shared');
      this.logger.log(
        { store: this.shared.target, sync: this.options.sync },
        this.budgets
          ? 'rate limits are shared through Redis, synchronised in the background'
          : 'rate limits are shared through Redis, one call per request',
      );
    } else {
      this.use('local');
      this.warnLocal(`unreachable at start: ${failure.message}`);
    }
  }

  /**
   * Background mode: sends what the budgets have to say (and the heartbeat) in one round trip. At
   * most one sync is in flight; a request for another meanwhile runs when it returns.
   */
  private sync(): void {
    const budgets = this.budgets;
    if (!budgets || !this.shared || this.current !== 'shared' || this.closed) return;
    if (this.syncing) {
      this.syncSoon = true;
      return;
    }
    const now = Date.now();
    const claims = budgets.takeClaims(now);
    if (claims.length === 0 && now - this.lastSyncAt < HEARTBEAT_INTERVAL_MS) return;
    this.syncing = true;
    this.lastSyncAt = now;
    const started = performance.now();
    this.shared
      .sync({
        gatewayId: this.gatewayId,
        heartbeatTtlMs: HEARTBEAT_TTL_MS,
        reserveMs: this.reserveMs(),
        claims,
      })
      .then(
        (reply) => {
          budgets.applyReply(this.withPeakGateways(reply), Date.now());
          this.metrics.sync('ok', performance.now() - started, budgets.gateways);
        },
        (err: unknown) => {
          budgets.abandon();
          const reason = err instanceof StoreError ? err.reason : 'error';
          this.metrics.sync(reason, performance.now() - started);
          this.metrics.storeError(reason);
          this.fallBack(err);
        },
      )
      .finally(() => {
        this.syncing = false;
        if (this.syncSoon || budgets.syncWanted) {
          this.syncSoon = false;
          this.sync();
        }
      });
  }

  /**
   * The shares of gateways yet to declare stay reserved this long after a window starts: a few sync
   * intervals, time for every gateway that saw the window's first requests to sync once.
   */
  private reserveMs(): number {
    return Math.max(200, 4 * this.options.syncIntervalMs);
  }

  /** An empty sync: counts this gateway and learns how many there are; undefined on success. */
  private async heartbeat(): Promise<Error | undefined> {
    if (!this.shared || !this.budgets) return new Error('no background store');
    try {
      const reply = await this.shared.sync({
        gatewayId: this.gatewayId,
        heartbeatTtlMs: HEARTBEAT_TTL_MS,
        reserveMs: this.reserveMs(),
        claims: [],
      });
      this.lastSyncAt = Date.now();
      this.budgets.learnGateways(this.withPeakGateways(reply));
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  /**
   * Fewer gateways than lately seen (Redis lost its set, or one stopped) is believed only once the
   * larger count is a heartbeat TTL old: smaller shares for a moment rather than a burst over.
   */
  private withPeakGateways(reply: SyncReply): SyncReply {
    const now = Date.now();
    const peak = this.peakGateways;
    if (reply.gateways >= peak.count || now - peak.seenAt > HEARTBEAT_TTL_MS) {
      peak.count = reply.gateways;
      peak.seenAt = now;
      return reply;
    }
    return { ...reply, gateways: peak.count };
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

  /**
   * While local: one probe (within the command timeout) - a decision on a probe key, or in
   * background mode an empty sync; success switches back to Redis.
   */
  private async probe(): Promise<void> {
    if (this.current !== 'local' || this.closed || !this.shared) return;
    if (this.budgets) {
      if ((await this.heartbeat()) !== undefined) return;
    } else {
      try {
        await this.shared.hit(PROBE_KEY, PROBE_INTERVAL_MS);
      } catch {
        return; // still down: the next interval tries again
      }
    }
    if (this.current !== 'local' || this.closed) return;
    this.use('shared');
    this.logger.warn(
      { store: this.shared.target },
      'rate-limit store available again: limits are shared across gateways again',
    );
  }

  private use(mode: StoreMode): void {
    // Budgets are kept through an outage: when Redis comes back with its counts (it hung, or the
    // network failed) they still match its claims; when it lost them (a restart) the held tokens
    // may exceed the limit once, as a per-request window restarted by a Redis restart does.
    this.current = mode;
    this.metrics.mode(mode);
  }
}

function newVerdict(): Verdict {
  return { allowed: true, limit: 0, remaining: 0, resetSeconds: 0 };
}

function verdictOf(hit: WindowHit, limit: number, verdict: Verdict): Verdict {
  verdict.allowed = hit.count <= limit;
  verdict.limit = limit;
  verdict.remaining = Math.max(0, limit - hit.count);
  verdict.resetSeconds = Math.ceil(hit.resetMs / 1000);
  return verdict;
}
