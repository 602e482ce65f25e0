import type { Logger } from '@nestjs/common';
import { isIP } from 'node:net';
import { Endpoint } from './endpoint';
import type { NameResolver } from './name-resolver';
import type { UpstreamTarget } from './upstream-url';

/**
 * The current endpoints of one upstream: every address of every configured target, re-resolved
 * every `refreshMs` (and soon after a call finds none), so replicas added or removed behind a name
 * - a Kubernetes headless Service - are followed without a restart. Endpoints keep their identity
 * (and outlier state) while the name keeps listing them. When a lookup fails (resolver down), the
 * target keeps its last known addresses: stale endpoints beat none. The targets themselves may be
 * replaced (retarget: a Service's ready endpoints, pushed), endpoints kept as above.
 */
export class EndpointSet {
  private current: readonly Endpoint[] = [];
  /** The addresses each host name resolved to last. */
  private readonly known = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private lastRefresh = 0;

  constructor(
    private targets: readonly UpstreamTarget[],
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

  /**
   * Sends to `targets` from now on. Address literals take effect at once (no lookup to wait for);
   * names as soon as they are resolved. Endpoints still listed keep their health.
   */
  retarget(targets: readonly UpstreamTarget[]): void {
    this.targets = targets;
    const hostnames = new Set(targets.map((target) => target.hostname));
    for (const hostname of this.known.keys())
      if (!hostnames.has(hostname)) this.known.delete(hostname);
    for (const hostname of hostnames) if (isIP(hostname)) this.known.set(hostname, [hostname]);
    this.update();
    if ([...hostnames].some((hostname) => !isIP(hostname))) void this.refresh();
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
          this.known.set(target.hostname, await this.resolve(target.hostname));
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
      for (const address of this.known.get(target.hostname) ?? []) {
        const fresh = new Endpoint(address, target);
        if (next.has(fresh.key)) continue;
        const kept = previous.get(fresh.key);
        // The same replica behind the same authority and base path keeps its health.
        const same =
          kept?.target.authority === target.authority && kept.target.basePath === target.basePath;
        next.set(fresh.key, same ? kept : fresh);
      }
    }
    const added = [...next.keys()].filter((key) => !previous.has(key));
    const removed = [...previous.keys()].filter((key) => !next.has(key));
    const replaced = [...next].some(([key, endpoint]) => previous.get(key) !== endpoint);
    if (!replaced && removed.length === 0) return;
    this.current = [...next.values()];
    this.logger.log(
      { endpoints: [...next.keys()], added, removed },
      `endpoints changed: ${this.current.length} in the set`,
    );
  }
}
