import { experimental, status, type ChannelOptions } from '@grpc/grpc-js';
import { createNameResolver, type NameResolver } from '../discovery/name-resolver';
import type { DiscoveryPolicy } from '../traffic-policy';

/** What the resolver takes from the traffic policy: DNS_SERVERS and UPSTREAM_DNS_REFRESH_MS. */
export type DnsDiscovery = Pick<DiscoveryPolicy, 'dnsServers' | 'refreshMs'>;

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
    discovery: DnsDiscovery,
  ) {
    const hostPort = experimental.splitHostPort(target.path);
    this.host = hostPort?.host;
    this.port = hostPort?.port ?? 443;
    this.resolve = createNameResolver(
      target.authority ? [target.authority] : [...discovery.dnsServers],
    );
    this.refreshMs = discovery.refreshMs;
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

let registered: DnsDiscovery | undefined;

/**
 * Makes every `dns:` channel of this process use PollingDnsResolver with these settings
 * (idempotent). grpc-js registers a resolver class per scheme for the whole process and gives it
 * only the channel's options, a bag of untyped values; so the typed settings are bound here, once,
 * instead of travelling through the channel options as strings or numbers to parse back. A process
 * has one configuration, hence one discovery policy for all its upstreams: a second registration
 * with other settings is a programming error, not something to resolve silently.
 */
export function usePollingDnsResolver(discovery: DnsDiscovery): void {
  if (registered) {
    if (sameDiscovery(registered, discovery)) return;
    throw new Error('gRPC upstreams of one process must share one DNS discovery policy');
  }
  registered = { dnsServers: [...discovery.dnsServers], refreshMs: discovery.refreshMs };
  const bound = registered;
  experimental.registerResolver(
    'dns',
    class extends PollingDnsResolver {
      constructor(
        target: experimental.GrpcUri,
        listener: experimental.ResolverListener,
        _options: ChannelOptions,
      ) {
        super(target, listener, bound);
      }
    },
  );
}

function sameDiscovery(a: DnsDiscovery, b: DnsDiscovery): boolean {
  return a.refreshMs === b.refreshMs && a.dnsServers.join(',') === b.dnsServers.join(',');
}
