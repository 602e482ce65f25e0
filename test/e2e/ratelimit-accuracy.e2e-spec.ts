import { setTimeout as sleep } from 'node:timers/promises';
import { testStack } from '../support/stack.ts';
import { type Answer, Clients, count, spread, storeMode } from '../support/rate-limit.ts';
import { RedisCalls } from '../support/redis-stats.ts';
import { requireTool } from '../support/tools.ts';

// Background synchronisation (RATE_LIMIT_SYNC=background): every gateway decides from its own
// share and syncs with Redis in batches, yet across 3 gateways a limit must hold within 5 % per
// window, with clients spread unevenly over the gateways and demand well above the limit.
//
// Each window is measured as one pulse of demand from a client nobody has seen in it: the window
// starts with the pulse's first request and the pulse stops MARGIN_MS before the window can end,
// then waits until it surely has. Every answer of a pulse thus falls in that one window, whatever
// the client's own timing.
const DEFAULT_LIMIT = 150;
const DEFAULT_WINDOW_MS = 3000;
const VERIFY_LIMIT = 100;
const VERIFY_WINDOW_MS = 2000;
const MARGIN_MS = 400;
const WINDOWS = 3;
const CONCURRENCY = 24;

interface Scenario {
  name: string;
  path: string;
  limit: number;
  windowMs: number;
  spread: number[];
}

const SCENARIOS: Scenario[] = [
  { name: 'default policy', path: '/projects/', limit: DEFAULT_LIMIT, windowMs: DEFAULT_WINDOW_MS, spread: [70, 20, 10] }, // prettier-ignore
  { name: 'per-route /verify', path: '/verify/', limit: VERIFY_LIMIT, windowMs: VERIFY_WINDOW_MS, spread: [50, 30, 20] }, // prettier-ignore
  { name: 'default policy, even spread', path: '/projects/', limit: DEFAULT_LIMIT, windowMs: DEFAULT_WINDOW_MS, spread: [34, 33, 33] }, // prettier-ignore
];

describe('rate-limit accuracy with background sync, 3 gateways + Redis', () => {
  requireTool('redis-server', 'redis-server');
  const stack = testStack({
    gateways: 3,
    redis: true,
    env: {
      gateway: {
        RATE_LIMIT_SYNC: 'background',
        RATE_LIMIT_LIMIT: String(DEFAULT_LIMIT),
        RATE_LIMIT_WINDOW_MS: String(DEFAULT_WINDOW_MS),
        RATE_LIMIT_ROUTES: `/verify=${VERIFY_LIMIT}/${VERIFY_WINDOW_MS}`,
        // A generous budget: this test is about counting; a GC pause on a busy machine must not
        // switch a gateway to local limiting (ratelimit-outage.e2e-spec.ts covers that).
        RATE_LIMIT_REDIS_TIMEOUT_MS: '2000',
      },
    },
  });
  const clients = new Clients(() => stack.net);
  let redisCalls: RedisCalls;

  beforeAll(async () => {
    await stack.start();
    if (!stack.redis) throw new Error('the stack has no Redis');
    redisCalls = new RedisCalls(stack.redis);
  });
  afterAll(async () => {
    redisCalls?.close();
    clients.closeAll();
    await stack.stop();
  });

  it('every gateway shares its limits through Redis', async () => {
    for (const gateway of stack.gateways) expect(await storeMode(gateway)).toBe('shared');
  });

  it.each(SCENARIOS)(
    '$name: $limit per window within 5 %, spread $spread',
    async ({ name, path, limit, windowMs, spread: percentages }) => {
      const client = clients.next();
      const pick = spread(percentages);
      const windows: Array<{ admitted: number; sent: number; byGateway: number[] }> = [];
      await redisCalls.reset();
      let requests = 0;
      for (let w = 0; w < WINDOWS; w++) {
        const started = Date.now();
        const answers = await client.during(stack.gateways, path, windowMs - MARGIN_MS, {
          concurrency: CONCURRENCY,
          pick,
        });
        requests += answers.length;
        expect(count(answers, 200) + count(answers, 429)).toBe(answers.length); // nothing else
        windows.push({
          admitted: count(answers, 200),
          sent: answers.length,
          byGateway: [0, 1, 2].map((g) => count(byGateway(answers, g), 200)),
        });
        // Until the window (and every gateway's view of it) has surely ended.
        await sleep(Math.max(0, started + windowMs + MARGIN_MS - Date.now()));
      }
      const calls = await redisCalls.calls();
      console.log(
        `[ratelimit] accuracy, background sync, 3 gateways + redis, ${name}, L=${limit} per ` +
          `${windowMs / 1000} s, spread ${percentages.join('/')} %: ` +
          windows
            .map(
              (w, i) =>
                `window ${i + 1} admitted ${w.admitted}/${w.sent} (${deviation(w.admitted, limit)}; ` +
                `${w.byGateway.join('+')})`,
            )
            .join(', ') +
          `; Redis calls per 1k requests ${perThousand(calls, requests)} (${calls} calls, ${requests} requests)`,
      );
      for (const w of windows) {
        expect(w.sent).toBeGreaterThan(2 * limit); // demand well above the limit
        expect(Math.abs(w.admitted - limit)).toBeLessThanOrEqual(0.05 * limit);
      }
      // Batched: far fewer round trips than requests (per-request mode makes one per request).
      expect(calls).toBeLessThan(requests / 4);
    },
  );

  it('a burst on all gateways at once, before any sync, admits no more than the limit', async () => {
    const client = clients.next();
    await redisCalls.reset();
    const answers = await client.burst(stack.gateways, '/projects/', 3 * DEFAULT_LIMIT, {
      concurrency: 3 * CONCURRENCY,
    });
    const calls = await redisCalls.calls();
    const admitted = count(answers, 200);
    console.log(
      `[ratelimit] burst, background sync, 3 gateways + redis, L=${DEFAULT_LIMIT}: ${answers.length} ` +
        `requests at once (${3 * CONCURRENCY} in flight), admitted ${admitted} ` +
        `(${deviation(admitted, DEFAULT_LIMIT)}; ${[0, 1, 2].map((g) => count(byGateway(answers, g), 200)).join('+')}); ` +
        `Redis calls per 1k requests ${perThousand(calls, answers.length)}`,
    );
    expect(count(answers, 200) + count(answers, 429)).toBe(answers.length);
    expect(admitted).toBeLessThanOrEqual(1.05 * DEFAULT_LIMIT);
    expect(admitted).toBeGreaterThanOrEqual(0.95 * DEFAULT_LIMIT);
  });
});

function byGateway(answers: Answer[], gateway: number): Answer[] {
  return answers.filter((a) => a.gateway === gateway);
}

function deviation(admitted: number, limit: number): string {
  const pct = ((admitted - limit) / limit) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

function perThousand(calls: number, requests: number): string {
  return requests === 0 ? 'n/a' : ((calls / requests) * 1000).toFixed(1);
}
