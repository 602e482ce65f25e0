import { randomLoopbackNet, Stack } from '../../scripts/topology/index.ts';
import {
  type FailingUpstream,
  startErroringHttpServer,
  startResettingServer,
  startUnacceptingServer,
  startUnavailableGrpcServer,
} from '../support/failing-upstream.ts';
import { load, statusCounts } from '../support/load.ts';
import { sample, scrape } from '../support/metrics.ts';

// Replicas that are up but failing - overloaded or broken. Stand-ins answer in their place and
// count what reaches them: the upstream side of ejection and of the retry budget.
describe('failing replicas', () => {
  describe('one replica of each backend answers errors: it is ejected, the healthy ones take over', () => {
    const net = randomLoopbackNet();
    const stack = new Stack({
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
      // HTTP: ejected after OUTLIER_CONSECUTIVE_FAILURES (5) in a row (+ requests already in flight).
      expect(http.received).toBeGreaterThanOrEqual(5);
      expect(http.received).toBeLessThanOrEqual(5 + 4);
      expect(secondHalf[0]).toBe(0);
      expect(projects.filter((o) => o.status !== 200).length).toBe(http.received);
      // gRPC: grpc-js outlier_detection ejects it within an interval.
      expect(grpc.received).toBeGreaterThan(0);
      expect(secondHalf[1]).toBe(0);
      expect(verify.filter((o) => o.status !== 200).length).toBeLessThan(grpc.received);
    });
  });

  describe('a replica that accepts no connections is skipped after WEBAPP_CONNECT_TIMEOUT_MS', () => {
    const net = randomLoopbackNet();
    const CONNECT_TIMEOUT_MS = 300;
    const stack = new Stack({
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

  describe('no retry storm: every replica fails in a retryable way', () => {
    const net = randomLoopbackNet();
    const requests = 300;
    // The breaker is kept shut so the retry budget alone bounds the load.
    const stack = new Stack({
      net,
      replicas: 0,
      env: {
        gateway: {
          WEBAPP_URL: [1, 2, 3].map((i) => `http://${net}.1${i}:5000`).join(','),
          RPC_TARGET: `ipv4:${[1, 2, 3].map((i) => `${net}.2${i}:6000`).join(',')}`,
          BREAKER_VOLUME_THRESHOLD: '1000000',
        },
      },
    });
    let resetting: FailingUpstream[] = [];
    let unavailable: FailingUpstream[] = [];
    beforeAll(async () => {
      resetting = await Promise.all(
        [1, 2, 3].map((i) => startResettingServer(`${net}.1${i}`, 5000)),
      );
      unavailable = await Promise.all(
        [1, 2, 3].map((i) => startUnavailableGrpcServer(`${net}.2${i}`, 6000)),
      );
      await stack.start();
    });
    afterAll(async () => {
      await stack.stop();
      await Promise.all([...resetting, ...unavailable].map((f) => f.close()));
    });

    it(`the upstream receives at most (1 + budget) x ${requests} client requests`, async () => {
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
      const [http, grpc] = [received(resetting), received(unavailable)];
      console.log(
        `no retry storm (budget 20 %, RETRY_MAX_ATTEMPTS 3, breaker kept shut): ${requests} client requests per route -> ` +
          `webapp-1 replicas (resetting connections) received ${http} connections (x${(http / requests).toFixed(3)}), ` +
          `rpc-app-1 replicas (answering UNAVAILABLE) ${grpc} calls (x${(grpc / requests).toFixed(3)}); without a budget up to x3; ` +
          `clients: /projects/ ${JSON.stringify(statusCounts(projects))}, /verify/ ${JSON.stringify(statusCounts(verify))}`,
      );
      expect(statusCounts(projects)).toEqual({ 503: requests });
      expect(statusCounts(verify)).toEqual({ 503: requests });
      expect(http).toBeGreaterThan(requests); // retries happened ...
      expect(http).toBeLessThanOrEqual(1.2 * requests); // ... within the budget
      expect(grpc).toBeGreaterThan(requests);
      expect(grpc).toBeLessThanOrEqual(1.2 * requests);
    });
  });
});
