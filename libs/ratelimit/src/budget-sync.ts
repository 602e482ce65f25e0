import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BackgroundBudgets } from './background-budgets';
import { PeakGateways } from './peak-gateways';
import type { RateLimitMetrics } from './rate-limit.metrics';
import type { BudgetClaim, SharedBudgets, SyncRequest } from './shared-budgets';
import { storeErrorReason } from './shared-windows';
import type { StoreFailover } from './store-failover';

/**
 * An idle gateway still syncs (an empty batch) this often, so the others learn soon that it joined
 * (their shares of new windows shrink) and that it is still there.
 */
export const HEARTBEAT_INTERVAL_MS = 250;
/** ... and is no longer counted among the gateways after this long without a sync. */
export const HEARTBEAT_TTL_MS = 3000;
/**
 * A starting gateway stays unready this long after its first heartbeat: by then every other
 * gateway has counted it, so none takes a share sized for one gateway fewer once it serves.
 */
export const JOIN_DELAY_MS = 2 * HEARTBEAT_INTERVAL_MS;

/**
 * Background mode's schedule (docs/adr/0005-background-rate-limit-sync.md): when this gateway's
 * budgets are synchronised with Redis - every sync interval while they have something to say or a
 * heartbeat is due, and at once when one runs out - with at most one sync in flight. Syncs run only
 * while the failover says limits are shared; a failed one switches it to local limits.
 */
export class BudgetSync {
  private readonly gatewayId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly peak = new PeakGateways(HEARTBEAT_TTL_MS);
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  /** Another sync is due as soon as possible: after the one in flight, or queued by a request. */
  private again = false;
  private lastSyncAt = 0;
  private stopped = false;
  /**
   * An early sync, asked for by a request whose budget ran out, runs in the context this object was
   * made in: its Redis span and log lines belong to no request (the batch serves every client).
   */
  private readonly syncOutsideRequests = AsyncResource.bind(() => {
    this.again = false;
    this.sync();
  });

  constructor(
    readonly budgets: BackgroundBudgets,
    private readonly ledger: SharedBudgets,
    private readonly intervalMs: number,
    private readonly metrics: RateLimitMetrics,
    private readonly failover: Pick<StoreFailover, 'mode' | 'failed'>,
  ) {}

  /**
   * At start: a heartbeat, time for the others to count this gateway, and one more heartbeat to
   * count those that started with it - the gateway count before the first decision. Undefined on
   * success, else the first failure.
   */
  async join(): Promise<Error | undefined> {
    const failure = await this.heartbeat();
    if (failure !== undefined) return failure;
    await sleep(JOIN_DELAY_MS);
    return this.heartbeat();
  }

  /** Syncs every interval from now on (created outside any request: no request's id in its logs). */
  start(): void {
    if (!this.stopped) this.timer = setInterval(() => this.sync(), this.intervalMs).unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /**
   * At shutdown, once nothing more is admitted: stops, lets the sync in flight finish, and hands
   * back every budget's unused tokens in one last sync (BackgroundBudgets.takeLeavingClaims), so
   * the gateways that stay or replace this one can claim them in the same window.
   */
  async leave(): Promise<void> {
    this.stop();
    await this.inFlight;
    if (this.failover.mode !== 'shared') return;
    const claims = this.budgets.takeLeavingClaims(Date.now());
    if (claims.length === 0) return;
    try {
      await this.ledger.sync(this.request(claims));
    } catch {
      // Redis is gone or slow: the tokens stay claimed until their windows end.
    }
  }

  /** After a decision: a budget that ran out gets its sync now rather than at the next interval. */
  afterDecision(): void {
    if (this.budgets.syncWanted && !this.again) {
      this.again = true;
      setImmediate(this.syncOutsideRequests);
    }
  }

  /** An empty sync: counts this gateway and learns how many there are; undefined on success. */
  async heartbeat(): Promise<Error | undefined> {
    try {
      const reply = await this.ledger.sync(this.request([]));
      this.lastSyncAt = Date.now();
      this.budgets.learnGateways(this.peak.of(reply, Date.now()));
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }

  /** Sends what the budgets have to say (and the heartbeat) in one round trip. */
  private sync(): void {
    if (this.failover.mode !== 'shared' || this.stopped) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    const budgets = this.budgets;
    const now = Date.now();
    const claims = budgets.takeClaims(now);
    if (claims.length === 0 && now - this.lastSyncAt < HEARTBEAT_INTERVAL_MS) return;
    this.lastSyncAt = now;
    const started = performance.now();
    this.inFlight = this.ledger
      .sync(this.request(claims))
      .then(
        (reply) => {
          budgets.applyReply(this.peak.of(reply, Date.now()), Date.now());
          this.metrics.sync('ok', performance.now() - started, budgets.gateways);
        },
        (err: unknown) => {
          // Budgets keep what they hold through an outage: when Redis comes back with its counts
          // (it hung, or the network failed) they still match its claims; when it lost them (a
          // restart) the held tokens may exceed the limit once, as a restarted window does.
          budgets.abandon();
          this.metrics.sync(storeErrorReason(err), performance.now() - started);
          this.failover.failed(err);
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.again || budgets.syncWanted) {
          this.again = false;
          this.sync();
        }
      });
  }

  private request(claims: BudgetClaim[]): SyncRequest {
    return {
      gatewayId: this.gatewayId,
      heartbeatTtlMs: HEARTBEAT_TTL_MS,
      // The shares of gateways yet to declare stay reserved this long after a window starts: a
      // few sync intervals, time for every gateway that saw the window's first requests to sync.
      reserveMs: Math.max(200, 4 * this.intervalMs),
      claims,
    };
  }
}
