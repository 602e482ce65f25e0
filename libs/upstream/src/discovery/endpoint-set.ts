import type { Logger } from '@nestjs/common';
import { Endpoint } from './endpoint';
import type { NameResolver } from './name-resolver';
import type { UpstreamTarget } from './upstream-url';

/**
 * The current endpoints of one upstream: every address of every configured target, re-resolved
 * every `refreshMs` (and soon after a call finds none), so replicas added or removed behind a name
 * - a Kubernetes headless Service - are followed without a restart. Endpoints keep their identity
 * (and outlier state) while the name keeps listing them. When a lookup fails (resolver down), the
 * target keeps its last known addresses: stale endpoints beat none.
 */
export class EndpointSet {
  private current: readonly Endpoint[] = [];
  private readonly known = new Map<UpstreamTarget, string[]>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private lastRefresh = 0;

  constructor(
    private readonly targets: readonly UpstreamTarget[],
    private readonly resolve: NameResolver,
    private readonly refreshMs: number,
    private readonly logger: Pick<Logger, 'log' | 'warn'>,
  ) {}

  get endpoints(): readonly Endpoint[] {
    return this.current;
  }

  /** Resolves once, then keeps refreshing in the background until stop(). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A refresh now unless one ran within the last second: for callers that found no endpoint. */
  refreshSoon(): void {
    if (Date.now() - this.lastRefresh >= Math.min(1000, this.refreshMs)) void this.refresh();
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.resolveAll().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async resolveAll(): Promise<void> {
    this.lastRefresh = Date.now();
    await Promise.all(
      this.targets.map(async (target) => {
        try {
          this.known.set(target, await this.resolve(target.hostname));
        } catch (err) {
          this.logger.warn(
            { hostname: target.hostname, err: (err as Error).message },
            'name resolution failed; keeping the last known addresses',
          );
        }
      }),
    );
    this.update();
  }

  private update(): void {
    const previous = new Map(this.current.map((endpoint) => [endpoint.key, endpoint]));
    const next = new Map<string, Endpoint>();
    for (const target of this.targets) {
      for (const address of this.known.get(target) ?? []) {
        const fresh = new Endpoint(address, target);
        if (!next.has(fresh.key)) next.set(fresh.key, previous.get(fresh.key) ?? fresh);
      }
    }
    const added = [...next.keys()].filter((key) => !previous.has(key));
    const removed = [...previous.keys()].filter((key) => !next.has(key));
    if (added.length === 0 && removed.length === 0) return;
    this.current = [...next.values()];
    this.logger.log(
      { endpoints: [...next.keys()], added, removed },
      `endpoints changed: ${this.current.length} in the set`,
    );
  }
}
