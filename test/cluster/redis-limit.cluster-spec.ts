// The chart's built-in Redis makes one budget of three gateway pods: a client reaching them through
// the Service (kube-proxy picks a pod per connection) gets L per window within 5 %, every pod
// counting part of it; deleting the Redis pod under load answers no 5xx, and once Redis is back the
// pods share one budget again. The client stands behind a load balancer that appends its address to
// X-Forwarded-For, with the gateway trusting that one hop: on several nodes a NodePort with
// `externalTrafficPolicy: Cluster` gives each connection the address of the node that forwarded it,
// so the socket's peer would make one client several (docs/rate-limiting.md).
import { eventually } from '../support/eventually.ts';
import { metric } from '../support/rate-limit.ts';
import { gatewayUrl } from './support/access.ts';
import { kubectl } from './support/cluster.ts';
import { podMetrics, pods, readyPods } from './support/pods.ts';
import { SMALL_REQUESTS, install, uninstall, type Release } from './support/release.ts';
import { count, steadyTraffic } from './support/traffic.ts';

const RELEASE: Release = { name: 'gateway-stack', namespace: 'gs-redis-limit' };
const L = 150;
const WINDOW_MS = 15_000;
const GATEWAYS = 3;
/** The client's address as its load balancer reports it (loopback: never an address traffic goes to). */
const CLIENT = { 'x-forwarded-for': '127.0.0.9' };

interface Counted {
  allowed: number;
  limited: number;
}

/** Each gateway pod's own rate-limiter counters for /projects, read from its admin port. */
async function perPod(): Promise<Map<string, Counted & { mode?: string }>> {
  const out = new Map<string, Counted & { mode?: string }>();
  for (const pod of readyPods(RELEASE, 'gateway')) {
    const text = podMetrics(RELEASE, pod.metadata.name);
    if (text === '') throw new Error(`${pod.metadata.name} did not answer /metrics`);
    const decision = (d: string) =>
      text
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('ratelimit_requests_total{') &&
            l.includes(`decision="${d}"`) &&
            l.includes('/projects'),
        )
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const mode = ['shared', 'local', 'embedded'].find(
      (m) => metric(text, 'ratelimit_store_mode', { mode: m }) === 1,
    );
    out.set(pod.metadata.name, {
      allowed: decision('allowed'),
      limited: decision('limited'),
      mode,
    });
  }
  return out;
}

/** Resolves once every gateway pod counts in Redis (mode shared). */
const allShared = (timeoutMs: number) =>
  eventually(
    async () => {
      const modes = [...(await perPod()).values()].map((p) => p.mode);
      return modes.length === GATEWAYS && modes.every((m) => m === 'shared');
    },
    { timeoutMs, intervalMs: 1000, what: `${GATEWAYS} gateway pods in shared mode` },
  );

/** Bursts 3L requests into one fresh window; returns the client's and each pod's count. */
async function oneWindow(base: string) {
  // Start at a window boundary, as the limiter reports it (RateLimit: ...;t=<seconds to reset>).
  const probe = await fetch(`${base}/projects/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...CLIENT },
    body: '{"title":"probe"}',
  });
  const reset = Number(
    /;t=(\d+)/.exec(probe.headers.get('ratelimit') ?? '')?.[1] ?? WINDOW_MS / 1000,
  );
  const windowStart = Date.now() + reset * 1000 + 300;
  // Read before the window starts (nothing is sent meanwhile): the burst gets the whole window.
  const before = await perPod();
  await new Promise((resolve) => setTimeout(resolve, windowStart - Date.now()));
  const started = Date.now();
  const statuses: number[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      while (sent < 3 * L) {
        sent++;
        const response = await fetch(`${base}/projects/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...CLIENT },
          body: JSON.stringify({ title: `t${sent}` }),
          signal: AbortSignal.timeout(10_000),
        }).catch(() => undefined);
        await response?.arrayBuffer();
        statuses.push(response?.status ?? 0);
      }
    }),
  );
  const elapsed = Date.now() - started;
  const after = await perPod();
  const pods = [...after].map(([name, a]) => ({
    name,
    allowed: a.allowed - (before.get(name)?.allowed ?? 0),
    limited: a.limited - (before.get(name)?.limited ?? 0),
  }));
  return { elapsed, statuses, pods, accepted: statuses.filter((s) => s === 200).length };
}

describe('the built-in Redis: one limit across 3 gateway pods', () => {
  let base = '';

  beforeAll(async () => {
    uninstall(RELEASE);
    install(RELEASE, [
      SMALL_REQUESTS,
      {
        componentDefaults: { replicas: 1 },
        components: {
          gateway: {
            replicas: GATEWAYS,
            service: { type: 'NodePort' },
            env: {
              RATE_LIMIT_LIMIT: String(L),
              RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
              RATE_LIMIT_TRUSTED_PROXY_HOPS: '1',
              // This test is about counting: a slow moment of a busy node must not switch a pod to local limits.
              RATE_LIMIT_REDIS_TIMEOUT_MS: '2000',
            },
          },
        },
        redis: { mode: 'builtin' },
      },
    ]);
    base = gatewayUrl(RELEASE);
    await eventually(() => readyPods(RELEASE, 'gateway').length === GATEWAYS, {
      timeoutMs: 180_000,
      intervalMs: 1000,
      what: `${GATEWAYS} ready gateway pods`,
    });
  }, 600_000);
  afterAll(() => uninstall(RELEASE));

  test('every gateway pod counts in Redis', async () => {
    await allShared(60_000);
  });

  test(`one client through the Service gets L=${L} per window within 5 %, counted by every pod`, async () => {
    for (let window = 0; window < 2; window++) {
      const w = await oneWindow(base);
      console.log(
        `[redis limit] window ${window + 1}: accepted ${w.accepted}/${w.statuses.length} in ${w.elapsed} ms; per pod ${JSON.stringify(w.pods)}`,
      );
      expect(w.elapsed).toBeLessThan(WINDOW_MS); // one window, else the count means nothing
      expect(w.statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
      expect(Math.abs(w.accepted - L)).toBeLessThanOrEqual(0.05 * L);
      expect(w.pods).toHaveLength(GATEWAYS);
      for (const pod of w.pods) {
        expect({ pod: pod.name, allowed: pod.allowed > 0, limited: pod.limited > 0 }).toEqual({
          pod: pod.name,
          allowed: true,
          limited: true,
        });
      }
      // What the pods counted is what the client saw.
      expect(w.pods.reduce((s, p) => s + p.allowed, 0)).toBe(w.accepted);
    }
  });

  test('deleting the Redis pod under load answers no 5xx; the shared limit is back with Redis', async () => {
    const [old] = pods(RELEASE, 'redis');
    const traffic = steadyTraffic(
      base,
      [{ path: '/projects/', body: { title: 'under load' } }],
      20,
      240_000,
    );
    try {
      await eventually(() => count(traffic, () => true) > 40, {
        timeoutMs: 30_000,
        intervalMs: 200,
        what: 'some answers before the deletion',
      });
      kubectl(['delete', 'pod', old.metadata.name, '-n', RELEASE.namespace, '--wait=false']);
      await eventually(
        () => readyPods(RELEASE, 'redis').some((p) => p.metadata.name !== old.metadata.name),
        { timeoutMs: 180_000, intervalMs: 1000, what: 'a new Redis pod ready' },
      );
      await allShared(120_000);
    } finally {
      await traffic.stop();
    }
    console.log(`[redis outage] ${JSON.stringify(Object.fromEntries(traffic.statuses))}`);
    expect({ serverErrorsOrNoAnswer: count(traffic, (s) => s === 0 || s >= 500) }).toEqual({
      serverErrorsOrNoAnswer: 0,
    });
    const w = await oneWindow(base);
    console.log(`[redis limit] after Redis came back: accepted ${w.accepted}/${w.statuses.length}`);
    expect(Math.abs(w.accepted - L)).toBeLessThanOrEqual(0.05 * L);
  });
});
