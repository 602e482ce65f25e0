import { testStack } from '../support/stack.ts';
import { startBlackHole } from '../support/black-hole.ts';
import { eventually } from '../support/eventually.ts';
import { get, postJson } from '../support/http.ts';

// A gateway must not die when an upstream is down (the demo it replaces did, see
// docs/architecture.md "Compatibility"): it answers with a clear gateway error and keeps serving.
describe('upstream failures', () => {
  describe('an upstream that is down', () => {
    const stack = testStack();
    beforeAll(() => stack.start());
    afterAll(() => stack.stop());

    it('webapp-1 down -> 502/503 JSON naming it; the gateway stays up and recovers', async () => {
      await stack.webapps[0].kill();
      const res = await postJson(`${stack.gatewayUrl}/projects/`, { title: 'x' });
      expect([502, 503]).toContain(res.status);
      expect(res.body).toMatchObject({
        upstream: 'webapp-1',
        message: expect.stringContaining('webapp-1'),
      });
      expect(res.text).not.toMatch(/\bat .+:\d+:\d+/);
      expect(res.text).not.toContain(stack.net); // no internal address in a public answer

      // The other route is unaffected and the gateway process is alive.
      expect((await postJson(`${stack.gatewayUrl}/verify/`, { id: 1, token: 't' })).status).toBe(
        200,
      );
      expect(stack.gateways[0].running).toBe(true);
      expect((await get(`${stack.gateways[0].adminUrl}/_status/healthcheck`)).status).toBe(200);

      stack.webapps[0].start();
      await stack.webapps[0].waitReady();
      await expectEventually200(`${stack.gatewayUrl}/projects/`, { title: 'back' });
    });

    it('rpc-app-1 down -> 503 JSON naming it; the gateway stays up and recovers', async () => {
      await stack.rpcApps[0].kill();
      const res = await postJson(`${stack.gatewayUrl}/verify/`, { id: 1, token: 't' });
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ upstream: 'rpc-app-1', reason: 'no replica reachable' });
      expect(res.text).not.toContain(stack.net); // grpc-js's details name the replicas' addresses
      expect((await postJson(`${stack.gatewayUrl}/projects/`, { title: 'x' })).status).toBe(200);
      expect(stack.gateways[0].running).toBe(true);

      stack.rpcApps[0].start();
      await stack.rpcApps[0].waitReady();
      await expectEventually200(`${stack.gatewayUrl}/verify/`, { id: 2, token: 't' });
    });
  });

  describe('an upstream that hangs', () => {
    const stack = testStack({ replicas: 1 });
    let holes: Array<{ close: () => Promise<void> }> = [];

    beforeAll(async () => {
      // Two listeners that accept and never answer, in place of the real backends.
      holes = [
        await startBlackHole(`${stack.net}.91`, 5000),
        await startBlackHole(`${stack.net}.92`, 6000),
      ];
      const gateway = stack.gateways[0];
      Object.assign(gateway.options.env ?? {}, {
        WEBAPP_URL: `http://${stack.net}.91:5000`,
        RPC_TARGET: `ipv4:${stack.net}.92:6000`,
        WEBAPP_TIMEOUT_MS: '300',
        RPC_TIMEOUT_MS: '300',
      });
      gateway.start();
      await gateway.waitReady();
    });
    afterAll(async () => {
      await stack.stop();
      await Promise.all(holes.map((h) => h.close()));
    });

    it('webapp-1 timeout -> 504 JSON', async () => {
      const started = Date.now();
      const res = await postJson(`${stack.gatewayUrl}/projects/`, { title: 'x' });
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ upstream: 'webapp-1' });
      expect(Date.now() - started).toBeLessThan(5000);
    });

    it('rpc-app-1 deadline -> 504 JSON', async () => {
      const res = await postJson(`${stack.gatewayUrl}/verify/`, { id: 1, token: 't' });
      expect(res.status).toBe(504);
      expect(res.body).toMatchObject({ upstream: 'rpc-app-1' });
    });
  });
});

/** Polls the route until it answers 200 (the replica is back in the gateway's rotation). */
async function expectEventually200(url: string, body: unknown): Promise<void> {
  // The breaker may have opened while the replica was down: up to its reset timeout (10 s).
  await eventually(async () => (await postJson(url, body)).status === 200, {
    timeoutMs: 20_000,
    intervalMs: 200,
    what: `${url} answers 200`,
  });
}
