import { Logger } from '@nestjs/common';
import type { SyncMode } from './rate-limit-env';
import type { RateLimitMetrics, StoreMode } from './rate-limit.metrics';
import { type SharedWindows, storeErrorReason } from './shared-windows';

/** How often a gateway that limits locally checks whether Redis is back. */
export const PROBE_INTERVAL_MS = 1000;

/** What the failover needs of the shared store: its name for log lines and its reconnections. */
type Connection = Pick<SharedWindows, 'target' | 'onReady'>;

/**
 * Where limits are counted now (StoreMode), and the switches: to this gateway's own count
 * (RATE_LIMIT_LOCAL_SHARE of every limit) the moment a Redis call fails or times out, back to Redis
 * when a probe succeeds - every PROBE_INTERVAL_MS and on every reconnection. Each switch is logged
 * once and shown by `ratelimit_store_mode` (docs/adr/0004-rate-limit-store.md).
 */
export class StoreFailover {
  private readonly logger = new Logger('RateLimit');
  private current: StoreMode;
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly connection: Connection | null,
    private readonly localShare: number,
    private readonly metrics: RateLimitMetrics,
    /** One check of Redis within the command timeout, the same work as a decision: true if it answered. */
    private readonly probeOnce: () => Promise<boolean>,
  ) {
    // With Redis, local until the first connection says otherwise.
    this.current = connection ? 'local' : 'embedded';
  }

  get mode(): StoreMode {
    return this.current;
  }

  /** The limit this gateway applies on its own: all of it when embedded, its share while local. */
  localLimit(limit: number): number {
    return this.current === 'embedded' ? limit : Math.ceil(limit * this.localShare);
  }

  /** At start, without Redis. */
  embedded(): void {
    this.metrics.mode('embedded');
    this.logger.log(
      {},
      'no REDIS_URL: rate limits are counted by each gateway on its own (embedded store)',
    );
  }

  /**
   * At start, once the first attempt to use Redis is over: shared or local from its outcome, and
   * probing from now on (at once on every reconnection, rather than at the next interval).
   */
  begin(failure: Error | undefined, sync: SyncMode): void {
    const connection = this.connection;
    if (!connection || this.stopped) return;
    connection.onReady(() => void this.probe());
    this.probeTimer = setInterval(() => void this.probe(), PROBE_INTERVAL_MS).unref();
    if (failure === undefined) {
      this.use('shared');
      this.logger.log({ store: connection.target, sync }, sharedMessage(sync));
    } else {
      this.use('local');
      this.warnLocal(`unreachable at start: ${failure.message}`);
    }
  }

  /** A Redis call failed: counted, and the gateway limits locally from now on (warned once). */
  failed(err: unknown): void {
    this.metrics.storeError(storeErrorReason(err));
    if (this.current !== 'shared' || this.stopped) return;
    this.use('local');
    this.warnLocal((err as Error)?.message ?? String(err));
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.probeTimer);
  }

  private async probe(): Promise<void> {
    if (this.current !== 'local' || this.stopped) return;
    if (!(await this.probeOnce())) return; // still down: the next interval tries again
    if (this.current !== 'local' || this.stopped) return;
    this.use('shared');
    this.logger.warn(
      { store: this.connection?.target },
      'rate-limit store available again: limits are shared across gateways again',
    );
  }

  private warnLocal(reason: string): void {
    this.logger.warn(
      { store: this.connection?.target, reason, local_share: this.localShare },
      'rate-limit store unavailable: each gateway now enforces RATE_LIMIT_LOCAL_SHARE of every limit on its own until Redis is back',
    );
  }

  private use(mode: StoreMode): void {
    this.current = mode;
    this.metrics.mode(mode);
  }
}

function sharedMessage(sync: SyncMode): string {
  return sync === 'background'
    ? 'rate limits are shared through Redis, synchronised in the background'
    : 'rate limits are shared through Redis, one call per request';
}
