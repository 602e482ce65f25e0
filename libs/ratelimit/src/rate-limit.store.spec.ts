import { Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FakeBudgetLedger } from './budget-ledger.fixture';
import { HEARTBEAT_INTERVAL_MS, JOIN_DELAY_MS } from './budget-sync';
import { RateLimitMetrics } from './rate-limit.metrics';
import type { RateLimitOptions } from './rate-limit.options';
import { RateLimitStore } from './rate-limit.store';
import type { SyncReply, SyncRequest } from './shared-budgets';
import type { SharedLimits } from './shared-limits';
import { StoreError, type WindowHit } from './shared-windows';
import { PROBE_INTERVAL_MS } from './store-failover';

/** A shared store whose health the test controls; counts like Redis would. */
class FakeShared implements SharedLimits {
  readonly target = 'redis://fake:6379';
  up = true;
  hits = 0;
  /** Background syncs, by the same rules as the Redis script; shares `up` with the windows. */
  readonly ledger = new FakeBudgetLedger();
  private readonly counts = new Map<string, number>();
  private readyListener: () => void = () => undefined;

  async connect(): Promise<Error | undefined> {
    return this.up ? undefined : new Error('connect ECONNREFUSED');
  }
  async hit(key: string, windowMs: number): Promise<WindowHit> {
    if (!this.up) throw new StoreError('unavailable', 'Connection is closed.');
    this.hits++;
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return { count, resetMs: windowMs };
  }
  sync(request: SyncRequest): Promise<SyncReply> {
    this.ledger.up = this.up;
    return this.ledger.sync(request);
  }
  onReady(listener: () => void): void {
    this.readyListener = listener;
  }
  reconnected(): void {
    this.readyListener();
  }
  close(): void {}
}

const options: RateLimitOptions = {
  limit: 10,
  windowMs: 60_000,
  routes: [],
  trustedProxyHops: 0,
  localShare: 0.25,
  sync: 'per-request',
  syncIntervalMs: 50,
};

function metrics(): { metrics: RateLimitMetrics; registry: Registry } {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    metrics: new RateLimitMetrics(
      new Counter({ name: 'req_total', help: 'h', labelNames: ['route', 'decision'], registers }),
      new Counter({ name: 'err_total', help: 'h', labelNames: ['reason'], registers }),
      new Gauge({ name: 'mode', help: 'h', labelNames: ['mode'], registers }),
      new Counter({ name: 'sync_total', help: 'h', labelNames: ['outcome'], registers }),
      new Histogram({ name: 'sync_seconds', help: 'h', registers }),
      new Gauge({ name: 'gateways', help: 'h', registers }),
    ),
  };
}

async function value(registry: Registry, name: string, labels: Record<string, string>) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ labels: Record<string, string>; value: number }>;
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

async function allowedOf(store: RateLimitStore, key: string, requests: number): Promise<number> {
  let allowed = 0;
  for (let i = 0; i < requests; i++)
    if (!(await store.increment(key, options.windowMs, options.limit)).isBlocked) allowed++;
  return allowed;
}

describe('RateLimitStore', () => {
  let warn: jest.SpyInstance;
  let stores: RateLimitStore[] = [];

  beforeEach(() => {
    jest.useFakeTimers();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    for (const store of stores) store.onApplicationShutdown();
    stores = [];
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  async function started(shared: FakeShared | null, overrides: Partial<RateLimitOptions> = {}) {
    const m = metrics();
    const store = new RateLimitStore({ ...options, ...overrides }, shared, m.metrics);
    stores.push(store);
    const init = store.onModuleInit();
    await jest.advanceTimersByTimeAsync(JOIN_DELAY_MS); // background mode waits to be counted
    await init;
    await store.onModuleInit(); // Nest may call it twice: must be harmless
    return { store, registry: m.registry };
  }

  it('counts in the shared store while it is healthy', async () => {
    const shared = new FakeShared();
    const { store, registry } = await started(shared);
    expect(store.mode).toBe('shared');
    expect(await value(registry, 'mode', { mode: 'shared' })).toBe(1);

    expect(await allowedOf(store, 'k', 15)).toBe(10);
    expect(shared.hits).toBe(15);
    const last = await store.increment('k', 60_000, 10);
    expect(last).toMatchObject({ isBlocked: true, limit: 10, remaining: 0, resetSeconds: 60 });
  });

  it('fails open to the local share on the first error, warns once, counts the error', async () => {
    const shared = new FakeShared();
    const { store, registry } = await started(shared);
    shared.up = false;

    // The failing request itself is decided locally, as are the rest: ceil(10 x 0.25) = 3 each.
    expect(await allowedOf(store, 'k', 10)).toBe(3);
    expect(store.mode).toBe('local');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][1]).toMatch(/store unavailable/);
    expect(await value(registry, 'err_total', { reason: 'unavailable' })).toBe(1);
    expect(await value(registry, 'mode', { mode: 'local' })).toBe(1);
    expect(await value(registry, 'mode', { mode: 'shared' })).toBe(0);
  });

  it('keeps probing while down and returns to the shared store once a probe succeeds', async () => {
    const shared = new FakeShared();
    const { store } = await started(shared);
    shared.up = false;
    await store.increment('k', 60_000, 10);
    await jest.advanceTimersByTimeAsync(PROBE_INTERVAL_MS * 3);
    expect(store.mode).toBe('local');
    expect(warn).toHaveBeenCalledTimes(1);

    shared.up = true;
    await jest.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
    expect(store.mode).toBe('shared');
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls[1][1]).toMatch(/available again/);
    const hitsBefore = shared.hits;
    await store.increment('k', 60_000, 10);
    expect(shared.hits).toBe(hitsBefore + 1);
  });

  it('probes at once when the connection is re-established', async () => {
    const shared = new FakeShared();
    const { store } = await started(shared);
    shared.up = false;
    await store.increment('k', 60_000, 10);
    shared.up = true;
    shared.reconnected();
    await jest.advanceTimersByTimeAsync(0);
    expect(store.mode).toBe('shared');
  });

  it('starts locally, ready to serve, when the shared store is down at start', async () => {
    const shared = new FakeShared();
    shared.up = false;
    const { store } = await started(shared);
    expect(store.mode).toBe('local');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({
      reason: 'unreachable at start: connect ECONNREFUSED',
    });
    expect(await allowedOf(store, 'k', 5)).toBe(3);
  });

  it('without a shared store, applies the full limit in memory (embedded mode)', async () => {
    const { store, registry } = await started(null);
    expect(store.mode).toBe('embedded');
    expect(await value(registry, 'mode', { mode: 'embedded' })).toBe(1);
    expect(await allowedOf(store, 'a', 15)).toBe(10);
    expect(await allowedOf(store, 'b', 15)).toBe(10);
    expect(warn).not.toHaveBeenCalled();
  });

  describe('in background mode', () => {
    const background = { sync: 'background' as const };

    /** Three gateways on one Redis, each having seen the others' heartbeats. */
    async function fleet(shared: FakeShared) {
      const gateways = [];
      for (let i = 0; i < 3; i++) gateways.push(await started(shared, background));
      await jest.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
      return gateways;
    }

    function admitted(store: RateLimitStore, key: string, requests: number): number {
      let allowed = 0;
      for (let i = 0; i < requests; i++) {
        const verdict = store.decide(key, options.limit, options.windowMs);
        if (verdict instanceof Promise) throw new Error('a background decision waited');
        if (verdict.allowed) allowed++;
      }
      return allowed;
    }

    it('gives every decision a verdict of its own, unchanged by the next one', async () => {
      const { store } = await started(new FakeShared(), background);
      const first = store.decide('k', options.limit, options.windowMs);
      const second = store.decide('k', options.limit, options.windowMs);
      expect(first).not.toBe(second);
      expect(first).toEqual({ allowed: true, limit: 10, remaining: 9, resetSeconds: 60 });
      expect(second).toMatchObject({ remaining: 8 });
    });

    it('decides at once and keeps the limit across 3 gateways, syncing in batches', async () => {
      const shared = new FakeShared();
      const gateways = await fleet(shared);
      expect(gateways.map((g) => g.store.mode)).toEqual(['shared', 'shared', 'shared']);
      const syncsBefore = shared.ledger.syncs;
      let total = 0;
      for (let round = 0; round < 5; round++) {
        for (const { store } of gateways) total += admitted(store, 'k', 5);
        await jest.advanceTimersByTimeAsync(options.syncIntervalMs);
      }
      expect(total).toBe(options.limit);
      expect(shared.ledger.claimed('k')).toBe(options.limit);
      // 75 requests, a handful of round trips: one per gateway and interval at most.
      expect(shared.ledger.syncs - syncsBefore).toBeLessThanOrEqual(5 * 3 * 2);
      expect(shared.hits).toBe(0);
      expect(await value(gateways[0].registry, 'sync_total', { outcome: 'ok' })).toBeGreaterThan(0);
    });

    it('fails open on a failed sync: local share, one warning, probe, shared again', async () => {
      const shared = new FakeShared();
      const { store, registry } = await started(shared, background);
      shared.up = false;
      expect(admitted(store, 'k', 1)).toBe(1); // decided from its share; the sync comes later
      await jest.advanceTimersByTimeAsync(options.syncIntervalMs);
      expect(store.mode).toBe('local');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(await value(registry, 'sync_total', { outcome: 'unavailable' })).toBe(1);
      expect(await value(registry, 'err_total', { reason: 'unavailable' })).toBe(1);
      expect(admitted(store, 'local-k', 10)).toBe(3); // ceil(10 x 0.25)

      await jest.advanceTimersByTimeAsync(PROBE_INTERVAL_MS * 3);
      expect(store.mode).toBe('local');
      expect(warn).toHaveBeenCalledTimes(1);
      shared.up = true;
      await jest.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
      expect(store.mode).toBe('shared');
      expect(warn).toHaveBeenCalledTimes(2);
      expect(warn.mock.calls[1][1]).toMatch(/available again/);
    });

    it('keeps its budgets through an outage: Redis still holds their claims when it comes back', async () => {
      const shared = new FakeShared();
      const { store } = await started(shared, background);
      expect(admitted(store, 'k', 3)).toBe(3);
      await jest.advanceTimersByTimeAsync(options.syncIntervalMs); // declares its share: 10
      expect(shared.ledger.claimed('k')).toBe(options.limit);
      shared.up = false;
      admitted(store, 'k', 1);
      await jest.advanceTimersByTimeAsync(options.syncIntervalMs);
      expect(store.mode).toBe('local');
      shared.up = true;
      await jest.advanceTimersByTimeAsync(PROBE_INTERVAL_MS);
      expect(store.mode).toBe('shared');
      // 4 of the 10 tokens it claimed are spent: the other 6 are still its own.
      expect(admitted(store, 'k', 10)).toBe(6);
    });

    it('hands back the tokens it holds when it shuts down, for the gateways that stay', async () => {
      const shared = new FakeShared();
      const gateways = await fleet(shared);
      for (const { store } of gateways) admitted(store, 'k', 1);
      await jest.advanceTimersByTimeAsync(options.syncIntervalMs); // every share declared
      expect(shared.ledger.claimed('k')).toBe(options.limit);
      const leaving = gateways[2].store;
      const last = leaving.decide('k', options.limit, options.windowMs);
      if (last instanceof Promise) throw new Error('a background decision waited');
      // Nothing is free in the store: what remains is the tokens it holds, unspent.
      expect(last.remaining).toBeGreaterThan(0);
      await leaving.onApplicationShutdown();
      expect(shared.ledger.claimed('k')).toBe(options.limit - last.remaining);
    });

    it('starts locally when Redis is down at start, and shares once it is back', async () => {
      const shared = new FakeShared();
      shared.up = false;
      const { store } = await started(shared, background);
      expect(store.mode).toBe('local');
      shared.up = true;
      shared.reconnected();
      await jest.advanceTimersByTimeAsync(0);
      expect(store.mode).toBe('shared');
    });
  });
});
