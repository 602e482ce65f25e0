import type { UpstreamModel, UpstreamTraffic } from '@app/routes';
import {
  createHttpUpstream,
  type DiscoveryPolicy,
  GrpcUpstream,
  type HttpUpstream,
  type TrafficPolicy,
  type UpstreamMetrics,
  type UpstreamStates,
} from '@app/upstream';
import { Client } from '@grpc/grpc-js';

export type LiveUpstream =
  | { readonly kind: 'http'; readonly upstream: HttpUpstream }
  | { readonly kind: 'grpc'; readonly upstream: GrpcUpstream; readonly client: Client };

interface PoolEntry {
  /** The model but an http upstream's `urls`, which change in place (retarget). */
  readonly key: string;
  readonly live: LiveUpstream;
  /** An http upstream's base URLs as it sends to them now. */
  urls: string;
  readonly close: () => Promise<void>;
}

/**
 * The running upstreams of the served route table. A new table reuses every upstream whose model
 * is unchanged - its endpoints, pooled connections, breaker and retry budget carry on - and builds
 * the others; upstreams the new table drops are closed once the calls of the old table that may
 * still use them are over. An http upstream whose only change is its URLs (a Service's ready
 * endpoints, from the Gateway API) is kept and retargeted when the table is committed: the
 * replicas it still lists keep their health and connections.
 */
export class UpstreamPool {
  private entries = new Map<string, PoolEntry>();

  constructor(
    private readonly metrics: UpstreamMetrics,
    private readonly states: UpstreamStates,
    private readonly discovery: DiscoveryPolicy,
  ) {}

  /**
   * The upstreams of a table by name, started (names resolved once). Nothing changes in the pool
   * until `commit`: a table that fails later is dropped with `abandon`.
   */
  async prepare(models: readonly UpstreamModel[]): Promise<PreparedUpstreams> {
    const next = new Map<string, PoolEntry>();
    const created: PoolEntry[] = [];
    const retargets: Retarget[] = [];
    for (const model of models) {
      const key = JSON.stringify(model.kind === 'http' ? { ...model, urls: null } : model);
      const known = this.entries.get(model.name);
      if (known?.key === key) {
        next.set(model.name, known);
        const urls = urlsOf(model);
        if (urls !== known.urls) retargets.push({ entry: known, urls });
        continue;
      }
      const entry = await this.create(model, key);
      created.push(entry);
      next.set(model.name, entry);
    }
    return {
      live: new Map([...next].map(([name, entry]) => [name, entry.live])),
      next,
      created,
      retargets,
    };
  }

  /** Makes a prepared set the pool; returns the upstreams it replaced, to be closed later. */
  commit(prepared: PreparedUpstreams): () => Promise<void> {
    const retired = [...this.entries.values()].filter(
      (entry) => prepared.next.get(nameOf(entry)) !== entry,
    );
    this.entries = prepared.next;
    for (const { entry, urls } of prepared.retargets) {
      if (entry.live.kind === 'http') entry.live.upstream.retarget(urls);
      entry.urls = urls;
    }
    for (const entry of retired)
      if (!prepared.next.has(nameOf(entry))) this.states.unregister(nameOf(entry));
    return async () => {
      await Promise.all(retired.map((entry) => entry.close()));
    };
  }

  /** A prepared set that will not be served: closes what it created. */
  async abandon(prepared: PreparedUpstreams): Promise<void> {
    await Promise.all(prepared.created.map((entry) => entry.close()));
  }

  async close(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries = new Map();
    await Promise.all(entries.map((entry) => entry.close()));
  }

  private async create(model: UpstreamModel, key: string): Promise<PoolEntry> {
    const policy = trafficPolicyOf(model.traffic, this.discovery);
    if (model.kind === 'http') {
      const owned = createHttpUpstream(
        {
          name: model.name,
          url: urlsOf(model),
          timeoutMs: model.traffic.timeoutMs,
          connectTimeoutMs: model.traffic.connectTimeoutMs,
          policy,
        },
        this.metrics,
        this.states,
      );
      await owned.upstream.start();
      return {
        key,
        live: { kind: 'http', upstream: owned.upstream },
        urls: urlsOf(model),
        close: () => owned.close(),
      };
    }
    const upstream = new GrpcUpstream(
      {
        name: model.name,
        target: model.target,
        timeoutMs: model.traffic.timeoutMs,
        idempotentMethods: [],
        policy,
      },
      this.metrics,
      this.states,
    );
    const client = upstream.createClient(Client);
    return {
      key,
      live: { kind: 'grpc', upstream, client },
      urls: '',
      close: async () => upstream.stop(),
    };
  }
}

export interface PreparedUpstreams {
  readonly live: ReadonlyMap<string, LiveUpstream>;
  readonly next: Map<string, PoolEntry>;
  readonly created: readonly PoolEntry[];
  /** Kept http upstreams whose URLs change when the set is committed. */
  readonly retargets: readonly Retarget[];
}

interface Retarget {
  readonly entry: PoolEntry;
  readonly urls: string;
}

/** An http upstream's URLs as HttpUpstream takes them (comma-separated); '' for gRPC. */
function urlsOf(model: UpstreamModel): string {
  return model.kind === 'http' ? model.urls.join(',') : '';
}

function nameOf(entry: PoolEntry): string {
  return entry.live.upstream.name;
}

/** The model's traffic settings in the shape the upstream classes take. */
function trafficPolicyOf(traffic: UpstreamTraffic, discovery: DiscoveryPolicy): TrafficPolicy {
  return {
    discovery,
    retry: {
      maxAttempts: traffic.retry.maxAttempts,
      tokenRatio: traffic.retry.budgetPercent / 100,
      maxTokens: traffic.retry.budgetMaxTokens,
      perTryTimeoutMs: traffic.retry.perTryTimeoutMs,
    },
    breaker: { ...traffic.breaker },
    outlier: { ...traffic.outlier },
    keepalive: { ...traffic.keepalive },
  };
}
