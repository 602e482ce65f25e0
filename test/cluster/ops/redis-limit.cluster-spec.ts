// The chart's built-in Redis makes one budget of three gateway pods: a client reaching them through
// the Service (kube-proxy picks a pod per connection) gets L per window within 5 %, every pod
// counting part of it; deleting the Redis pod under load answers no 5xx, and once Redis is back the
// pods share one budget again.
import {
  appSelector,
  componentName,
  createNamespace,
  deleteNamespace,
  installChart,
  kubectl,
  nodePortUrl,
  pods,
  readyPods,
  requireCluster,
  until,
} from './support/cluster.ts';
import { count, steadyTraffic } from './support/traffic.ts';
import { metric } from '../../support/rate-limit.ts';

const NS = 'ops-redis-limit';
const RELEASE = { name: 'gateway-stack', namespace: NS };
const L = 150;
const WINDOW_MS = 15_000;
const GATEWAYS = 3;

interface Counted {
  allowed: number;
  limited: number;
}

/** Each gateway pod's own rate-limiter counters for /projects, read from its admin port. */
async function perPod(): Promise<Map<string, Counted & { mode?: string }>> {
  const out = new Map<string, Counted & { mode?: string }>();
  for (const pod of pods(NS, appSelector(RELEASE, 'gateway')).filter((p) => p.ready)) {
    const text = await (
      await fetch(`http://${pod.ip}:9000/metrics`, { signal: AbortSignal.timeout(5000) })
    ).text();
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
    out.set(pod.name, { allowed: decision('allowed'), limited: decision('limited'), mode });
  }
  return out;
}

/** Bursts 3L requests into one fresh window; returns the client's and each pod's count. */
async function oneWindow(base: string) {
  // Start at a window boundary, as the limiter reports it (RateLimit: ...;t=<seconds to reset>).
  const probe = await fetch(`${base}/projects/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"title":"probe"}',
  });
  const reset = Number(
    /;t=(\d+)/.exec(probe.headers.get('ratelimit') ?? '')?.[1] ?? WINDOW_MS / 1000,
  );
  await new Promise((resolve) => setTimeout(resolve, reset * 1000 + 300));
  const before = await perPod();
  const started = Date.now();
  const statuses: number[] = [];
  let sent = 0;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      while (sent < 3 * L) {
        sent++;
        const response = await fetch(`${base}/projects/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
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
    requireCluster();
    createNamespace(NS);
    installChart(RELEASE, {
      componentDefaults: { replicas: 1 },
      components: {
        gateway: {
          replicas: GATEWAYS,
          service: { type: 'NodePort' },
          env: {
            RATE_LIMIT_LIMIT: String(L),
            RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
            // This test is about counting: a slow moment of a busy node must not switch a pod to local limits.
            RATE_LIMIT_REDIS_TIMEOUT_MS: '2000',
          },
        },
      },
      redis: { mode: 'builtin' },
    });
    base = nodePortUrl(NS, componentName(RELEASE, 'gateway'));
    await readyPods(NS, appSelector(RELEASE, 'gateway'), GATEWAYS);
  }, 600_000);
  afterAll(() => deleteNamespace(NS));

  test('every gateway pod counts in Redis', async () => {
    await until(
      '3 gateway pods in shared mode',
      async () => {
        const modes = [...(await perPod()).values()].map((p) => p.mode);
        return modes.length === GATEWAYS && modes.every((m) => m === 'shared');
      },
      60_000,
    );
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
    const redis = appSelector(RELEASE, 'redis');
    const [old] = pods(NS, redis);
    const traffic = steadyTraffic(
      base,
      [{ path: '/projects/', body: { title: 'under load' } }],
      20,
      240_000,
    );
    try {
      await until(
        'some answers before the deletion',
        () => count(traffic, () => true) > 40,
        30_000,
        200,
      );
      kubectl(['delete', 'pod', old.name, '-n', NS, '--wait=false']);
      await until(
        'a new Redis pod ready',
        () => pods(NS, redis).some((p) => p.ready && p.name !== old.name),
        180_000,
      );
      await until(
        'every gateway pod shared again',
        async () => {
          const modes = [...(await perPod()).values()].map((p) => p.mode);
          return modes.length === GATEWAYS && modes.every((m) => m === 'shared');
        },
        120_000,
      );
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
