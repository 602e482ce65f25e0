import { Logger } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { RateLimitMetrics } from './rate-limit.metrics';
import type { RateLimitOptions } from './rate-limit.options';
import { PROBE_INTERVAL_MS, RateLimitStore } from './rate-limit.store';
import { type SharedWindows, StoreError, type WindowHit } from './shared-windows';

/** A shared store whose health the test controls; counts like Redis would. */
class FakeShared implements SharedWindows {
  readonly target = 'redis://fake:6379';
  up = true;
  hits = 0;
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

  async function started(shared: FakeShared | null) {
    const m = metrics();
    const store = new RateLimitStore(options, shared, m.metrics);
    stores.push(store);
    await store.onModuleInit();
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
});
