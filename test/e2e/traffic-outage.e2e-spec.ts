import { setTimeout as sleep } from 'node:timers/promises';
import { type Backend, Stack } from '../../scripts/topology/index.ts';
import { postJson } from '../support/http.ts';
import { load, percentile, statusCounts } from '../support/load.ts';
import { sample, scrape, served } from '../support/metrics.ts';

const RESET_TIMEOUT_MS = 12_000;
const ROUTES: Record<Backend, { path: string; body: unknown }> = {
  'webapp-1': { path: '/projects/', body: { title: 'outage' } },
  'rpc-app-1': { path: '/verify/', body: { id: 9, token: 't' } },
};

// All replicas of one upstream die. Its circuit breaker opens and answers for it - fast, without
// calling it - while the other route is unaffected; when the replicas return, so does the route.
describe('total outage of one upstream', () => {
  const stack = new Stack({
    replicas: 3,
    env: {
      gateway: {
        BREAKER_RESET_TIMEOUT_MS: String(RESET_TIMEOUT_MS),
        BREAKER_VOLUME_THRESHOLD: '10',
        OUTLIER_BASE_EJECTION_MS: '1000',
        OUTLIER_MAX_EJECTION_MS: '2000',
        // The load here (one client, over 1000 requests/s once the breaker answers fast) tests the
        // breaker, not the rate limiter: keep the limiter out of its way.
        RATE_LIMIT_LIMIT: '1000000',
      },
    },
  });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it.each([
    ['webapp-1', 'rpc-app-1'],
    ['rpc-app-1', 'webapp-1'],
  ] as const)(
    '%s down: breaker opens, 503 + Retry-After without upstream calls, %s unaffected, recovery after the reset timeout',
    async (app, other) => {
      const url = `${stack.gatewayUrl}${ROUTES[app].path}`;
      const replicas = stack.replicas(app);
      const gatewayBefore = await scrape(stack.gateways[0].adminUrl);
      let outageOver = false;
      const otherRoute = load({
        url: `${stack.gatewayUrl}${ROUTES[other].path}`,
        body: ROUTES[other].body,
        concurrency: 2,
        stop: () => outageOver,
      });

      await Promise.all(replicas.map((replica) => replica.kill()));
      const killedAt = Date.now();
      // Calls fail (503 naming the upstream) until failures are the majority of the breaker's
      // 10 s window - which may still hold the successes from before the outage.
      const beforeOpen: number[] = [];
      let openedAt = 0;
      while (openedAt === 0 && Date.now() - killedAt < 20_000) {
        const res = await postJson(url, ROUTES[app].body);
        beforeOpen.push(res.status);
        if (res.headers.get('retry-after') !== null) openedAt = Date.now();
      }
      expect(openedAt).toBeGreaterThan(0);
      expect(new Set(beforeOpen)).toEqual(new Set([503]));

      // The replicas come back while the breaker is still open: it must not call them yet.
      for (const replica of replicas) replica.start();
      await Promise.all(replicas.map((replica) => replica.waitReady()));
      const replicasReadyAfter = Date.now() - openedAt;
      expect(replicasReadyAfter).toBeLessThan(RESET_TIMEOUT_MS - 1000); // else the machine is too slow to tell
      const whileOpen = await load({
        url,
        body: ROUTES[app].body,
        concurrency: 4,
        stop: () => Date.now() >= openedAt + RESET_TIMEOUT_MS - 300,
      });
      const upstreamCalls = (await Promise.all(replicas.map(served))).reduce((a, b) => a + b, 0);

      // Recovery: the first trial after the reset timeout closes the breaker.
      let recoveredAfter = NaN;
      while (Date.now() - openedAt < RESET_TIMEOUT_MS + 10_000) {
        if ((await postJson(url, ROUTES[app].body)).status === 200) {
          recoveredAfter = Date.now() - openedAt;
          break;
        }
        await sleep(50);
      }
      outageOver = true;
      const others = await otherRoute;

      const gatewayAfter = await scrape(stack.gateways[0].adminUrl);
      const retries =
        sample(gatewayAfter, 'upstream_retries_total', { upstream: app }) -
        sample(gatewayBefore, 'upstream_retries_total', { upstream: app });
      const clientRequests = beforeOpen.length + whileOpen.length;
      const latencies = whileOpen.map((o) => o.ms);
      console.log(
        `total outage ${app}: breaker open after ${beforeOpen.length} failed requests in ${openedAt - killedAt} ms; while open ${whileOpen.length} requests -> ${JSON.stringify(statusCounts(whileOpen))} ` +
          `with Retry-After, median ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, upstream calls ${upstreamCalls} (replicas back after ${replicasReadyAfter} ms); ` +
          `recovered ${recoveredAfter} ms after opening (reset timeout ${RESET_TIMEOUT_MS} ms); ${other} meanwhile ${JSON.stringify(statusCounts(others))}; ` +
          `gateway retries to ${app} during the outage: ${retries} for ${clientRequests} client requests`,
      );

      expect(whileOpen.length).toBeGreaterThan(0);
      for (const outcome of whileOpen) {
        expect(outcome.status).toBe(503);
        expect(Number(outcome.retryAfter)).toBeGreaterThanOrEqual(1);
        expect(Number(outcome.retryAfter)).toBeLessThanOrEqual(RESET_TIMEOUT_MS / 1000);
        expect(JSON.parse(outcome.text)).toMatchObject({
          upstream: app,
          reason: 'circuit breaker open',
        });
      }
      expect(upstreamCalls).toBe(0);
      expect(percentile(latencies, 50)).toBeLessThan(50);
      expect(recoveredAfter).toBeGreaterThanOrEqual(RESET_TIMEOUT_MS - 300);
      expect(recoveredAfter).toBeLessThanOrEqual(RESET_TIMEOUT_MS + 2000);
      expect(statusCounts(others)).toEqual({ 200: others.length });
      // No retry storm: with nothing succeeding, retries stop after the budget's burst (half of
      // RETRY_BUDGET_MAX_TOKENS). Exact for HTTP; grpc-js's own retries are counted at the
      // upstream side in traffic-failing-replicas.e2e-spec.ts.
      if (app === 'webapp-1') expect(retries).toBeLessThanOrEqual(10);
    },
  );
});
