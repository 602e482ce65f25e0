import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { testStack } from '../support/stack.ts';
import { healthClient, userVerifyClient } from '../support/grpc-clients.ts';
import { postJson } from '../support/http.ts';
import { load, type Outcome } from '../support/load.ts';

// Kubernetes removes a pod from endpoints at the moment it sends SIGTERM: the app must keep
// serving what it has, say "not ready" first, and only then close - dropping nothing.

/** Whether a new TCP connection to host:port is accepted right now. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until `stop()`: when readiness first answered 503 and when the listener stopped accepting. */
function watchShutdown(readiness: () => Promise<number>, host: string, port: number) {
  const seen = { readiness503At: 0, listenerClosedAt: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      if (!seen.readiness503At && (await readiness()) === 503) seen.readiness503At = Date.now();
      if (!seen.listenerClosedAt && !(await accepts(host, port)))
        seen.listenerClosedAt = Date.now();
      await sleep(25);
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe('graceful shutdown', () => {
  describe('gateway drain', () => {
    // Every webapp-1 answer takes 1.5 s, so requests are in flight when the gateway is told to stop.
    const stack = testStack({
      env: {
        'webapp-1': { FAULT_DELAY_MS: '1500' },
        gateway: { SHUTDOWN_DRAIN_DELAY_MS: '600', SHUTDOWN_TIMEOUT_MS: '10000' },
      },
    });
    beforeAll(() => stack.start());
    afterAll(() => stack.stop());

    it('completes every in-flight request with 200, reports 503 before closing, exits 0', async () => {
      const gateway = stack.gateways[0];
      const inFlight = Array.from({ length: 10 }, (_, i) =>
        postJson(`${stack.gatewayUrl}/projects/`, { title: `drain-${i}` }),
      );
      await sleep(300);
      const watcher = watchShutdown(() => gateway.readiness(), gateway.host, gateway.port);
      const started = Date.now();
      const exit = gateway.stop('SIGTERM', 15_000);
      // A request that arrives during the drain delay is still served.
      await sleep(200);
      const late = postJson(`${stack.gatewayUrl}/projects/`, { title: 'late' });

      const results = await Promise.all([...inFlight, late]);
      const code = await exit;
      const elapsed = Date.now() - started;
      await watcher.stop();

      const statuses = results.map((r) => r.status);
      console.log(
        `gateway drain: ${statuses.filter((s) => s === 200).length}/${statuses.length} in-flight requests answered 200; ` +
          `readiness 503 after ${watcher.seen.readiness503At - started} ms, listener closed after ${watcher.seen.listenerClosedAt - started} ms; ` +
          `exit ${code} after ${elapsed} ms`,
      );
      expect(statuses).toEqual(Array(11).fill(200));
      expect(code).toBe(0);
      expect(watcher.seen.readiness503At).toBeGreaterThan(0);
      expect(watcher.seen.listenerClosedAt).toBeGreaterThan(watcher.seen.readiness503At);
      expect(elapsed).toBeLessThan(600 + 10_000);
    });
  });

  describe('gRPC drain', () => {
    const stack = testStack({
      env: {
        'rpc-app-1': {
          FAULT_DELAY_MS: '2000',
          SHUTDOWN_DRAIN_DELAY_MS: '500',
          SHUTDOWN_TIMEOUT_MS: '10000',
        },
      },
    });
    beforeAll(async () => {
      // Only rpc-app-1 is needed: the client below calls it directly.
      stack.rpcApps[0].start();
      await stack.rpcApps[0].waitReady();
    });
    afterAll(() => stack.stop());

    it('a slow in-flight VerifyUser completes; grpc.health.v1 says NOT_SERVING during the drain', async () => {
      const rpc = stack.rpcApps[0];
      const client = userVerifyClient(rpc.address);
      const health = healthClient(rpc.address);
      expect(await health.check()).toBe('SERVING');
      expect(await health.check('userverify.UserVerify')).toBe('SERVING');

      const call = client.verify(42, 'slow');
      await sleep(300);
      const exit = rpc.stop('SIGTERM', 15_000);
      await sleep(150);
      const duringDrain = await health.check('userverify.UserVerify');

      expect(await call).toEqual({ message: 'Verified: 42' });
      const code = await exit;
      console.log(
        `gRPC drain: in-flight call completed; health during drain ${duringDrain}; exit ${code}`,
      );
      expect(duringDrain).toBe('NOT_SERVING');
      expect(code).toBe(0);
      client.close();
      health.close();
    });
  });

  describe('rolling restart of every backend replica under load', () => {
    // Three replicas of each backend; each one in turn gets SIGTERM, exits, and a new process
    // starts on its address, while clients keep both routes busy through the gateway.
    const stack = testStack({
      replicas: 3,
      env: {
        // A load test, not a rate-limit test: one client here can exceed the default 1000/s.
        gateway: { RATE_LIMIT_LIMIT: '1000000' },
        'webapp-1': { SHUTDOWN_DRAIN_DELAY_MS: '300' },
        'rpc-app-1': { SHUTDOWN_DRAIN_DELAY_MS: '300', GRPC_MAX_CONNECTION_AGE_MS: '5000' },
      },
    });
    beforeAll(() => stack.start());
    afterAll(() => stack.stop());

    it('drops no request', async () => {
      let restarting = true;
      const loads = Promise.all([
        load({
          url: `${stack.gatewayUrl}/projects/`,
          body: { title: 'rolling' },
          concurrency: 4,
          stop: () => !restarting,
        }),
        load({
          url: `${stack.gatewayUrl}/verify/`,
          body: { id: 9, token: 'r' },
          concurrency: 4,
          stop: () => !restarting,
        }),
      ]);
      await sleep(1000);
      const timeline: string[] = [];
      for (const replica of [...stack.webapps, ...stack.rpcApps]) {
        const started = Date.now();
        const code = await replica.stop('SIGTERM', 15_000);
        replica.start();
        await replica.waitReady();
        timeline.push(`${replica.name} exit ${code} back in ${Date.now() - started} ms`);
        expect(code).toBe(0);
        await sleep(500);
      }
      await sleep(1000);
      restarting = false;
      const [projects, verify] = await loads;

      const failed = (outcomes: Outcome[]) => outcomes.filter((o) => o.status !== 200);
      console.log(
        `rolling restart: ${projects.length} POST /projects/ and ${verify.length} POST /verify/ sent while ` +
          `6 replicas restarted one at a time; failed: /projects/ ${failed(projects).length}, /verify/ ${failed(verify).length}; ` +
          timeline.join(', '),
      );
      expect(failed(projects).map((o) => `${o.status} ${o.text}`)).toEqual([]);
      expect(failed(verify).map((o) => `${o.status} ${o.text}`)).toEqual([]);
      expect(projects.length).toBeGreaterThan(100);
      expect(verify.length).toBeGreaterThan(100);
    });
  });
});
