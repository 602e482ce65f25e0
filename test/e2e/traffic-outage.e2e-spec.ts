import type { Backend } from '../../process-topology/index.ts';
import { eventually } from '../support/eventually.ts';
import { postJson } from '../support/http.ts';
import { load, percentile, statusCounts } from '../support/load.ts';
import { sample, scrape, served } from '../support/metrics.ts';
import { testStack } from '../support/stack.ts';

const RESET_TIMEOUT_MS = 12_000;
/** The default of BREAKER_CONSECUTIVE_UNAVAILABLE. */
const CONSECUTIVE_UNAVAILABLE = 5;
/** The successes in the breaker's window before the outage: far above its volume threshold. */
const WARM_UP_REQUESTS = 300;
const ROUTES: Record<Backend, { path: string; body: unknown }> = {
  'webapp-1': { path: '/projects/', body: { title: 'outage' } },
  'rpc-app-1': { path: '/verify/', body: { id: 9, token: 't' } },
};

// All replicas of one upstream die. Its circuit breaker opens and answers for it - fast, without
// calling it - while the other route is unaffected; when the replicas return, so does the route.
describe('total outage of one upstream', () => {
  const stack = testStack({
    replicas: 3,
    env: {
      gateway: {
        BREAKER_RESET_TIMEOUT_MS: String(RESET_TIMEOUT_MS),
        OUTLIER_BASE_EJECTION_MS: '1000',
        OUTLIER_MAX_EJECTION_MS: '2000',
      },
    },
  });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());
  // Each case starts with every replica up and both routes answering, whatever the last one left.
  beforeEach(async () => {
    for (const replica of [...stack.webapps, ...stack.rpcApps])
      if (!replica.running) replica.start();
    await Promise.all([...stack.webapps, ...stack.rpcApps].map((replica) => replica.waitReady()));
    for (const { path, body } of Object.values(ROUTES))
      await eventually(
        async () => (await postJson(`${stack.gatewayUrl}${path}`, body)).status === 200,
        {
          timeoutMs: RESET_TIMEOUT_MS + 10_000,
          intervalMs: 200,
          what: `${path} answers 200`,
        },
      );
  });

  it.each([
    ['webapp-1', 'rpc-app-1'],
    ['rpc-app-1', 'webapp-1'],
  ] as const)(
    '%s down: breaker opens after BREAKER_CONSECUTIVE_UNAVAILABLE failed calls although its window is full of successes, 503 + Retry-After without upstream calls, %s unaffected, recovery after the reset timeout',
    async (app, other) => {
      const url = `${stack.gatewayUrl}${ROUTES[app].path}`;
      const replicas = stack.replicas(app);
      // The breaker's window fills with successes: the percentage rule alone would wait for as
      // many failures.
      const warmUp = await load({
        url,
        body: ROUTES[app].body,
        concurrency: 4,
        requests: WARM_UP_REQUESTS,
      });
      expect(statusCounts(warmUp)).toEqual({ 200: WARM_UP_REQUESTS });
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
      // One request after the other: each reaches no replica (503) until the breaker opens.
      const beforeOpen: Array<{ status: number; reason: string }> = [];
      let openedAt = 0;
      while (openedAt === 0 && beforeOpen.length < 100) {
        const res = await postJson(url, ROUTES[app].body);
        if (res.headers.get('retry-after') !== null) openedAt = Date.now();
        else
          beforeOpen.push({ status: res.status, reason: (res.body as { reason: string }).reason });
      }
      const openAfterMs = openedAt - killedAt;
      expect(beforeOpen.map((r) => r.status)).toEqual(Array(CONSECUTIVE_UNAVAILABLE).fill(503));

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
      await eventually(async () => (await postJson(url, ROUTES[app].body)).status === 200, {
        timeoutMs: RESET_TIMEOUT_MS + 10_000,
        intervalMs: 50,
        what: `${app}'s route recovers`,
      });
      const recoveredAfter = Date.now() - openedAt;
      outageOver = true;
      const others = await otherRoute;

      const gatewayAfter = await scrape(stack.gateways[0].adminUrl);
      const retries =
        sample(gatewayAfter, 'upstream_retries_total', { upstream: app }) -
        sample(gatewayBefore, 'upstream_retries_total', { upstream: app });
      const latencies = whileOpen.map((o) => o.ms);
      console.log(
        `total outage ${app}: breaker open after ${beforeOpen.length} failed requests (${JSON.stringify(beforeOpen.map((r) => r.reason))}) in ${openAfterMs} ms, ` +
          `its window holding ${WARM_UP_REQUESTS} successes; while open ${whileOpen.length} requests -> ${JSON.stringify(statusCounts(whileOpen))} ` +
          `with Retry-After, median ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, upstream calls ${upstreamCalls} (replicas back after ${replicasReadyAfter} ms); ` +
          `recovered ${recoveredAfter} ms after opening (reset timeout ${RESET_TIMEOUT_MS} ms); ${other} meanwhile ${JSON.stringify(statusCounts(others))}; ` +
          `gateway retries to ${app} during the outage: ${retries}`,
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
      expect(recoveredAfter).toBeGreaterThanOrEqual(RESET_TIMEOUT_MS - 300);
      expect(statusCounts(others)).toEqual({ 200: others.length });
      // No retry storm: with nothing succeeding, retries stop once half of RETRY_BUDGET_MAX_TOKENS
      // (20) attempts have failed: at most 9 of the 10 were retries.
      expect(retries).toBeLessThanOrEqual(9);
    },
  );
});
