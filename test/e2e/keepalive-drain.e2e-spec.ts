import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess } from '../../process-topology/index.ts';
import { keepAliveClients } from '../support/keepalive-client.ts';
import { testStack } from '../support/stack.ts';

// Load balancers, meshes and SDK pools keep idle keep-alive connections for seconds to minutes. A
// replica being replaced must end each of them with the answer to a request (`Connection: close`),
// never by closing it under a request that is already on its way. In Kubernetes the preStop hook
// calls the drain endpoint and holds; SIGTERM follows when it answers (charts/gateway-stack/
// templates/_lifecycle.tpl). Here every replica goes through the same: drain endpoint (held) ->
// SIGTERM -> exit -> a replacement starts on its address.

/** The preStop hold: longer than any idle gap of the clients below (3 s). */
const HOLD_MS = 4000;

describe('keep-alive connections through drain -> SIGTERM -> exit of each replica', () => {
  const stack = testStack({
    replicas: 2,
    gateways: 2,
    env: {
      gateway: { SHUTDOWN_DRAIN_DELAY_MS: '500' },
      'webapp-1': { SHUTDOWN_DRAIN_DELAY_MS: '500' },
    },
  });
  beforeAll(() => stack.start());
  afterAll(() => stack.stop());

  it('loses no request: each connection is closed by its own answer', async () => {
    const clients = {
      // Through the gateway to webapp-1: the gateway's own pool is the keep-alive client there.
      gateway: keepAliveClients({
        endpoints: stack.gateways.map((g) => g.address),
        path: '/projects/',
        method: 'POST',
        body: { title: 'keep-alive' },
        busy: 4,
        idle: 8,
        maxIdleSeconds: 3,
      }),
      webapp: keepAliveClients({
        endpoints: stack.webapps.map((w) => w.address),
        path: '/create',
        method: 'POST',
        body: { title: 'keep-alive' },
        busy: 2,
        idle: 8,
        maxIdleSeconds: 3,
      }),
    };
    const inEndpoints = new Set<AppProcess>(stack.all);
    const publish = () => {
      clients.gateway.setEndpoints(
        stack.gateways.filter((g) => inEndpoints.has(g)).map((g) => g.address),
      );
      clients.webapp.setEndpoints(
        stack.webapps.filter((w) => inEndpoints.has(w)).map((w) => w.address),
      );
    };

    await sleep(3500); // every idle connection has been used and is idle again
    const timeline: string[] = [];
    for (const replica of [...stack.gateways, ...stack.webapps]) {
      const started = Date.now();
      // Termination starts: the pod leaves the endpoints, the preStop hook calls the drain endpoint.
      inEndpoints.delete(replica);
      publish();
      const drain = await fetch(`${replica.adminUrl}/_status/drain?wait_ms=${HOLD_MS}`, {
        method: 'POST',
      });
      expect(drain.status).toBe(200);
      expect(await replica.readiness()).toBe(503);
      const code = await replica.stop('SIGTERM', 30_000);
      expect(code).toBe(0);
      replica.start();
      await replica.waitReady();
      inEndpoints.add(replica);
      publish();
      timeline.push(`${replica.name} back in ${Date.now() - started} ms`);
      await sleep(1000);
    }
    await sleep(1000);
    const gateway = await clients.gateway.stop();
    const webapp = await clients.webapp.stop();

    console.log(
      `keep-alive drain (idle up to 3 s, hold ${HOLD_MS} ms): through the gateway ${gateway.failed} of ${gateway.sent} failed ` +
        `(${gateway.closed_by_answer} connections closed by an answer), to webapp-1 ${webapp.failed} of ${webapp.sent} failed ` +
        `(${webapp.closed_by_answer} closed by an answer); ${timeline.join(', ')}`,
    );
    expect(gateway.failures).toEqual([]);
    expect(webapp.failures).toEqual([]);
    // Connections were moved by the drain, not left alone: each draining replica closed some.
    expect(gateway.closed_by_answer).toBeGreaterThanOrEqual(stack.gateways.length);
    expect(webapp.closed_by_answer).toBeGreaterThanOrEqual(stack.webapps.length);
    expect(gateway.ok).toBeGreaterThan(100);
    expect(webapp.ok).toBeGreaterThan(100);
  });
});
