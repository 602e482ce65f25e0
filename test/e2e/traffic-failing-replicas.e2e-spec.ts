import { randomLoopbackNet } from '../../process-topology/index.ts';
import { testStack } from '../support/stack.ts';
import {
  type FailingUpstream,
  startErroringHttpServer,
  startResettingServer,
  startUnacceptingServer,
  startUnavailableGrpcServer,
} from '../support/failing-upstream.ts';
import { postJson } from '../support/http.ts';
import { load, statusCounts } from '../support/load.ts';
import { sample, scrape } from '../support/metrics.ts';

// Replicas that are up but failing - overloaded or broken. Stand-ins answer in their place and
// count what reaches them: the upstream side of ejection and of the retry budget.
describe('failing replicas', () => {
  describe('one replica of each backend answers errors: it is ejected, the healthy ones take over', () => {
    const net = randomLoopbackNet();
    const stack = testStack({
      net,
      replicas: 2,
      env: {
        gateway: {
          WEBAPP_URL: `http://${net}.11:5000,http://${net}.12:5000,http://${net}.19:5000`,
          RPC_TARGET: `ipv4:${net}.21:6000,${net}.22:6000,${net}.29:6000`,
          OUTLIER_INTERVAL_MS: '1000',
          // Long enough that no probe happens during the test.
          OUTLIER_BASE_EJECTION_MS: '60000',
          OUTLIER_MAX_EJECTION_MS: '60000',
        },
      },
    });
    let failing: FailingUpstream[] = [];
    beforeAll(async () => {
      failing = [
        await startErroringHttpServer(`${net}.19`, 5000, 503),
        await startUnavailableGrpcServer(`${net}.29`, 6000),
      ];
      await stack.start();
    });
    afterAll(async () => {
      await stack.stop();
      await Promise.all(failing.map((f) => f.close()));
    });

    it('HTTP 5xx and gRPC UNAVAILABLE replicas drop out of rotation', async () => {
      const [http, grpc] = failing;
      const run = (path: string, body: unknown) =>
        load({ url: `${stack.gatewayUrl}${path}`, body, concurrency: 4, requests: 300 });
      const first = await Promise.all([
        run('/projects/', { title: 'x' }),
        run('/verify/', { id: 1, token: 't' }),
      ]);
      // grpc-js ejects at the end of an OUTLIER_INTERVAL_MS: however fast this machine sent the first
      // 300, wait (bounded) until a whole batch misses the failing replica before measuring.
      for (let batch = 0; batch < 40; batch++) {
        const before = grpc.received;
        await run('/verify/', { id: 1, token: 't' });
        if (grpc.received === before) break;
      }
      const atHalf = [http.received, grpc.received];
      const second = await Promise.all([
        run('/projects/', { title: 'x' }),
        run('/verify/', { id: 1, token: 't' }),
      ]);
      const secondHalf = [http.received - atHalf[0], grpc.received - atHalf[1]];
      const projects = [...first[0], ...second[0]];
      const verify = [...first[1], ...second[1]];
      console.log(
        `outlier ejection: webapp-1 replica answering 503 got ${atHalf[0]} of the first 300 requests and ${secondHalf[0]} of the next 300; ` +
          `rpc-app-1 replica answering UNAVAILABLE got ${atHalf[1]} then ${secondHalf[1]} calls; ` +
          `clients saw /projects/ ${JSON.stringify(statusCounts(projects))} (the 503s it answered became 502, not retried: the POST had reached it), /verify/ ${JSON.stringify(statusCounts(verify))}`,
      );
      // HTTP: ejected after WEBAPP_OUTLIER_CONSECUTIVE_FAILURES (5) in a row (+ requests already in flight).
      expect(http.received).toBeGreaterThanOrEqual(5);
      expect(http.received).toBeLessThanOrEqual(5 + 4);
      expect(secondHalf[0]).toBe(0);
      expect(projects.filter((o) => o.status !== 200).length).toBe(http.received);
      // gRPC: grpc-js outlier_detection ejects it within an interval.
      expect(grpc.received).toBeGreaterThan(0);
      expect(secondHalf[1]).toBe(0);
      expect(verify.filter((o) => o.status !== 200).length).toBeLessThan(grpc.received);
      // A partial failure: neither breaker opened (few calls failed, never many in a row).
      const gateway = await scrape(stack.gateways[0].adminUrl);
      for (const upstream of ['webapp-1', 'rpc-app-1'])
        expect(
          sample(gateway, 'upstream_circuit_breaker_transitions_total', {
            upstream,
            state: 'open',
          }),
        ).toBe(0);
    });
  });

  describe('a replica that accepts no connections is skipped after WEBAPP_CONNECT_TIMEOUT_MS', () => {
    const net = randomLoopbackNet();
    const CONNECT_TIMEOUT_MS = 300;
    const stack = testStack({
      net,
      replicas: 2,
      env: {
        gateway: {
          WEBAPP_URL: `http://${net}.11:5000,http://${net}.12:5000,http://${net}.19:5000`,
          WEBAPP_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        },
      },
    });
    let hung: { close: () => Promise<void> } | undefined;
    beforeAll(async () => {
      hung = await startUnacceptingServer(`${net}.19`, 5000);
      await stack.start();
    });
    afterAll(async () => {
      await stack.stop();
      await hung?.close();
    });

    it('the request that met it is retried on another replica; the replica is ejected', async () => {
      const outcomes = await load({
        url: `${stack.gatewayUrl}/projects/`,
        body: { title: 'x' },
        concurrency: 1,
        requests: 30,
      });
      const gateway = await scrape(stack.gateways[0].adminUrl);
      const retries = sample(gateway, 'upstream_retries_total', { upstream: 'webapp-1' });
      const ejections = sample(gateway, 'upstream_ejections_total', { upstream: 'webapp-1' });
      const waited = outcomes.filter((o) => o.ms >= CONNECT_TIMEOUT_MS);
      console.log(
        `connect timeout: 30 sequential POST /projects/ with one of 3 replicas accepting no connections -> ${JSON.stringify(statusCounts(outcomes))}; ` +
          `${retries} retry after the ${CONNECT_TIMEOUT_MS} ms connect timeout (that request took ${waited.map((o) => o.ms.toFixed(0)).join(', ')} ms), ${ejections} ejection`,
      );
      expect(statusCounts(outcomes)).toEqual({ 200: 30 });
      // Exactly one request met the hung replica: it waited for the connect timeout, then went
      // elsewhere; the replica was ejected at once, so no other request waited for it.
      expect(retries).toBe(1);
      expect(ejections).toBe(1);
      expect(waited.length).toBeGreaterThanOrEqual(1);
    });
  });

  describe('attempts per call: RETRY_MAX_ATTEMPTS bounds what reaches the replicas, gRPC included', () => {
    const MAX_ATTEMPTS = 4;
    const { stack, resetting, unavailable } = everyReplicaFailing(5, {
      RETRY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    });

    it(`one failing request is attempted exactly RETRY_MAX_ATTEMPTS (${MAX_ATTEMPTS}) times on each upstream`, async () => {
      // With a full retry budget (a fresh gateway, 20 tokens): every retryable failure is retried
      // until the attempts run out - grpc-js retries nothing on top (it used to multiply them).
      const verify = await postJson(`${stack.gatewayUrl}/verify/`, { id: 1, token: 't' });
      const projects = await postJson(`${stack.gatewayUrl}/projects/`, { title: 'x' });
      const received = (upstreams: FailingUpstream[]) => upstreams.map((u) => u.received);
      console.log(
        `attempts per call (RETRY_MAX_ATTEMPTS ${MAX_ATTEMPTS}, 5 failing replicas each): one POST /verify/ -> rpc-app-1 replicas got ${JSON.stringify(received(unavailable.all))} calls; ` +
          `one POST /projects/ -> webapp-1 replicas got ${JSON.stringify(received(resetting.all))} connections`,
      );
      expect(verify.status).toBe(503);
      expect(projects.status).toBe(503);
      expect(sum(received(unavailable.all))).toBe(MAX_ATTEMPTS);
      expect(sum(received(resetting.all))).toBe(MAX_ATTEMPTS);
      // HTTP: each attempt on a replica not tried yet.
      expect(received(resetting.all).filter((n) => n > 1)).toEqual([]);
    });
  });

  describe('no retry storm: every replica fails in a retryable way', () => {
    const requests = 300;
    const { stack, resetting, unavailable } = everyReplicaFailing(3);

    it(`the upstream receives at most ${requests} + 9 attempts for ${requests} client requests (half the budget's bucket)`, async () => {
      const [projects, verify] = await Promise.all([
        load({
          url: `${stack.gatewayUrl}/projects/`,
          body: { title: 'x' },
          concurrency: 4,
          requests,
        }),
        load({
          url: `${stack.gatewayUrl}/verify/`,
          body: { id: 1, token: 't' },
          concurrency: 4,
          requests,
        }),
      ]);
      const received = (upstreams: FailingUpstream[]) =>
        upstreams.reduce((sum, upstream) => sum + upstream.received, 0);
      const [http, grpc] = [received(resetting.all), received(unavailable.all)];
      console.log(
        `no retry storm (budget 20 % of 20 tokens, RETRY_MAX_ATTEMPTS 3, breaker kept shut): ${requests} client requests per route -> ` +
          `webapp-1 replicas (resetting connections) received ${http} connections (x${(http / requests).toFixed(3)}), ` +
          `rpc-app-1 replicas (answering UNAVAILABLE) ${grpc} calls (x${(grpc / requests).toFixed(3)}); without a budget up to x3; ` +
          `clients: /projects/ ${JSON.stringify(statusCounts(projects))}, /verify/ ${JSON.stringify(statusCounts(verify))}`,
      );
      expect(statusCounts(projects)).toEqual({ 503: requests });
      expect(statusCounts(verify)).toEqual({ 503: requests });
      // Nothing succeeds: retries stop once half the bucket (20 tokens) is spent - 10 failed
      // attempts, at most 9 of them retries; then every request is attempted once.
      expect(http).toBeGreaterThan(requests); // retries happened ...
      expect(http).toBeLessThanOrEqual(requests + 9); // ... within the budget
      expect(grpc).toBeGreaterThan(requests);
      expect(grpc).toBeLessThanOrEqual(requests + 9);
    });
  });
});

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * `count` replicas of each upstream, every one failing in a retryable way - webapp-1 stand-ins
 * resetting every connection, rpc-app-1 stand-ins answering UNAVAILABLE - behind a gateway whose
 * breakers are kept shut, so that retries alone decide what reaches them. Started and stopped
 * with the enclosing describe.
 */
function everyReplicaFailing(count: number, gatewayEnv: Record<string, string> = {}) {
  const net = randomLoopbackNet();
  const indexes = Array.from({ length: count }, (_, i) => i + 1);
  const stack = testStack({
    net,
    replicas: 0,
    env: {
      gateway: {
        WEBAPP_URL: indexes.map((i) => `http://${net}.1${i}:5000`).join(','),
        RPC_TARGET: `ipv4:${indexes.map((i) => `${net}.2${i}:6000`).join(',')}`,
        BREAKER_CONSECUTIVE_UNAVAILABLE: '1000000',
        BREAKER_VOLUME_THRESHOLD: '1000000',
        ...gatewayEnv,
      },
    },
  });
  const resetting = { all: [] as FailingUpstream[] };
  const unavailable = { all: [] as FailingUpstream[] };
  beforeAll(async () => {
    resetting.all = await Promise.all(
      indexes.map((i) => startResettingServer(`${net}.1${i}`, 5000)),
    );
    unavailable.all = await Promise.all(
      indexes.map((i) => startUnavailableGrpcServer(`${net}.2${i}`, 6000)),
    );
    await stack.start();
  });
  afterAll(async () => {
    await stack.stop();
    await Promise.all([...resetting.all, ...unavailable.all].map((f) => f.close()));
  });
  return { stack, resetting, unavailable };
}
