import { experimental, status, type ChannelOptions } from '@grpc/grpc-js';
import { createNameResolver, type NameResolver } from '../discovery/name-resolver';

/** Channel option carrying DNS_SERVERS (comma-separated) to the resolver; '' = the system resolver. */
export const DNS_SERVERS_OPTION = 'gateway.dns_servers';
const REFRESH_OPTION = 'grpc.dns_min_time_between_resolutions_ms';

/**
 * The `dns:` resolver of the gateway's gRPC channels: the name is re-resolved every refresh
 * interval (UPSTREAM_DNS_REFRESH_MS), exactly like webapp-1's names, and whenever grpc-js asks
 * (a connection dropped), at most that often. grpc-js's own DNS resolver resolves only when asked,
 * so pods added behind a headless Service were used only after some connection dropped - after an
 * install or a scale-up, up to rpc-app-1's max connection age later (docs/architecture.md).
 * Addresses come from the same NameResolver as HTTP upstreams: one discovery for both kinds.
 */
export class PollingDnsResolver implements experimental.Resolver {
  private readonly host: string | undefined;
  private readonly port: number;
  private readonly resolve: NameResolver;
  private readonly refreshMs: number;
  private readonly timer: NodeJS.Timeout;
  private last: string | undefined;
  private lastAt = 0;
  private pending: Promise<void> | undefined;
  private destroyed = false;

  constructor(
    private readonly target: experimental.GrpcUri,
    private readonly listener: experimental.ResolverListener,
    options: ChannelOptions,
  ) {
    const hostPort = experimental.splitHostPort(target.path);
    this.host = hostPort?.host;
    this.port = hostPort?.port ?? 443;
    const servers = target.authority
      ? [target.authority]
      : String(options[DNS_SERVERS_OPTION] ?? '')
          .split(',')
          .filter(Boolean);
    this.resolve = createNameResolver(servers);
    this.refreshMs = Number(options[REFRESH_OPTION] ?? 5000);
    this.timer = setInterval(() => void this.run(false), this.refreshMs);
    this.timer.unref();
  }

  static getDefaultAuthority(target: experimental.GrpcUri): string {
    return target.path;
  }

  /** grpc-js asks for a resolution (first connect, a dropped connection): now, or at the next tick. */
  updateResolution(): void {
    if (Date.now() - this.lastAt >= this.refreshMs || this.last === undefined) void this.run(true);
  }

  destroy(): void {
    this.destroyed = true;
    clearInterval(this.timer);
  }

  private run(asked: boolean): Promise<void> {
    this.pending ??= this.resolveOnce(asked).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async resolveOnce(asked: boolean): Promise<void> {
    this.lastAt = Date.now();
    if (!this.host)
      return this.fail(`cannot parse target ${experimental.uriToString(this.target)}`);
    let addresses: string[];
    try {
      addresses = (await this.resolve(this.host)).sort();
    } catch (err) {
      // Resolver unreachable: keep the addresses the channel has (stale beats none).
      if (this.last === undefined)
        this.fail(`resolving ${this.host} failed: ${(err as Error).message}`);
      return;
    }
    if (this.destroyed) return;
    const key = addresses.join(',');
    // Unchanged answers are passed on only when grpc-js asked; the timer's are news only on change.
    if (key === this.last && !asked) return;
    this.last = key;
    if (addresses.length === 0) return this.fail(`no addresses for ${this.host}`);
    this.listener(
      experimental.statusOrFromValue(
        addresses.map((host) => ({ addresses: [{ host, port: this.port }] })),
      ),
      {},
      null,
      '',
    );
  }

  private fail(details: string): void {
    if (this.destroyed) return;
    this.listener(
      experimental.statusOrFromError({ code: status.UNAVAILABLE, details }),
      {},
      null,
      '',
    );
  }
}

/** Makes every `dns:` channel of this process use PollingDnsResolver (idempotent). */
export function usePollingDnsResolver(): void {
  experimental.registerResolver('dns', PollingDnsResolver);
}
