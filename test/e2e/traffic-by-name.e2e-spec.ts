import { type AppProcess } from '../../process-topology/index.ts';
import { testStack } from '../support/stack.ts';
import { eventually } from '../support/eventually.ts';
import { get } from '../support/http.ts';
import { load, type Outcome, statusCounts } from '../support/load.ts';
import { sample, scrape, served } from '../support/metrics.ts';

// The gateway finds its upstreams by name, as behind a Kubernetes headless Service: the stack's DNS
// server answers webapp-1.stack.test / rpc-app-1.stack.test with the current replicas. Counts per
// replica come from each replica's own metrics.
describe('traffic by name: 3 replicas of each backend behind one name', () => {
  const stack = testStack({
    replicas: 3,
    discovery: 'dns',
    env: {
      gateway: {
        UPSTREAM_DNS_REFRESH_MS: '1000',
        OUTLIER_BASE_EJECTION_MS: '1000',
        OUTLIER_MAX_EJECTION_MS: '2000',
        // A load test, not a rate-limit test: one client here can exceed the default 1000/s.
        RATE_LIMIT_LIMIT: '1000000',
      },
      // Connections are recycled every 3 s, so grpc-js re-resolves and finds new replicas.
      'rpc-app-1': { GRPC_MAX_CONNECTION_AGE_MS: '3000', GRPC_MAX_CONNECTION_AGE_GRACE_MS: '1000' },
    },
  });
  const projects = { body: { title: 'spread' }, url: () => `${stack.gatewayUrl}/projects/` };
  const verify = { body: { id: 7, token: 't' }, url: () => `${stack.gatewayUrl}/verify/` };

  beforeAll(async () => {
    await stack.start();
    // Every gRPC subchannel connected, every webapp-1 endpoint resolved.
    await Promise.all([
      load({ url: projects.url(), body: projects.body, concurrency: 3, requests: 30 }),
      load({ url: verify.url(), body: verify.body, concurrency: 3, requests: 30 }),
    ]);
  });
  afterAll(() => stack.stop());

  it('spread: 600 requests per route land within ±20% of even on every replica', async () => {
    const before = await Promise.all([...stack.webapps, ...stack.rpcApps].map(served));
    const [toProjects, toVerify] = await Promise.all([
      load({ url: projects.url(), body: projects.body, concurrency: 6, requests: 600 }),
      load({ url: verify.url(), body: verify.body, concurrency: 6, requests: 600 }),
    ]);
    const after = await Promise.all([...stack.webapps, ...stack.rpcApps].map(served));
    const delta = after.map((count, i) => count - before[i]);
    const [webapp, rpcApp] = [delta.slice(0, 3), delta.slice(3)];
    console.log(
      `spread: 600 POST /projects/ -> webapp-1 replicas [${webapp}], 600 POST /verify/ -> rpc-app-1 replicas [${rpcApp}] (even: 200 each, allowed 160-240)`,
    );
    expect(statusCounts([...toProjects, ...toVerify])).toEqual({ 200: 1200 });
    for (const count of [...webapp, ...rpcApp]) {
      expect(count).toBeGreaterThanOrEqual(160);
      expect(count).toBeLessThanOrEqual(240);
    }
  });

  it('replica loss: SIGKILL one replica of each backend under load -> no failed request but the explained kind; the survivors take the traffic', async () => {
    const [webappVictim, rpcVictim] = [stack.webapps[0], stack.rpcApps[0]];
    const survivors = { webapp: stack.webapps.slice(1), rpcApp: stack.rpcApps.slice(1) };
    const before = await servedBy(survivors);
    const victimsBefore = await Promise.all([served(webappVictim), served(rpcVictim)]);
    const loadStartedAt = Date.now();
    const runs = Promise.all([
      load({ url: projects.url(), body: projects.body, concurrency: 4, durationMs: 15_000 }),
      load({ url: verify.url(), body: verify.body, concurrency: 4, durationMs: 15_000 }),
    ]);
    // The victims are in rotation and busy when they die.
    const victimsServed = await eventually(
      async () => {
        const counts = await Promise.all([served(webappVictim), served(rpcVictim)]);
        return counts.every((count, i) => count - victimsBefore[i] >= 20) && counts;
      },
      // Well before the load ends, whatever the machine's speed: the kill must happen under load.
      { timeoutMs: 10_000, intervalMs: 100, what: 'both victims served 20 requests of the load' },
    );
    await Promise.all([webappVictim.kill(), rpcVictim.kill()]);
    const killedAt = Date.now();
    const [toProjects, toVerify] = await runs;
    const after = await servedBy(survivors);

    const failed = (outcomes: Outcome[]) => outcomes.filter((o) => o.status !== 200);
    // A POST the killed process had already read (the connection ended with a FIN, not a reset)
    // may have been acted on: the gateway answers 502 instead of retrying it. Nothing else fails.
    const mayHaveBeenProcessed = (o: Outcome) =>
      o.status === 502 && /the request may have been processed/.test(o.text);
    const sentAfterKill = (outcomes: Outcome[]) =>
      outcomes.filter((o) => o.startedAt >= killedAt).length;
    const survivorsGot = {
      webapp: sum(after.webapp) - sum(before.webapp),
      rpcApp: sum(after.rpcApp) - sum(before.rpcApp),
    };
    const gateway = await scrape(stack.gateways[0].adminUrl);
    console.log(
      `replica loss: ${toProjects.length} POST /projects/ + ${toVerify.length} POST /verify/ over 15 s (8 concurrent), SIGKILL of ${webappVictim.name} and ${rpcVictim.name} ${killedAt - loadStartedAt} ms in: ` +
        `failed /projects/ ${failed(toProjects).length}, failed /verify/ ${failed(toVerify).length}; ` +
        `survivors served ${survivorsGot.webapp} /create for ${sentAfterKill(toProjects)} sent after the kill and ${survivorsGot.rpcApp} VerifyUser for ${sentAfterKill(toVerify)}; ` +
        `gateway retries webapp-1 ${sample(gateway, 'upstream_retries_total', { upstream: 'webapp-1' })}, rpc-app-1 ${sample(gateway, 'upstream_retries_total', { upstream: 'rpc-app-1' })}; webapp-1 ejections ${sample(gateway, 'upstream_ejections_total', { upstream: 'webapp-1' })}`,
    );
    for (const outcome of failed(toProjects))
      console.log(`  failed /projects/ request: ${outcome.status} ${outcome.text}`);

    expect(victimsServed.every((count) => count > 0)).toBe(true); // they were in rotation
    expect(failed(toVerify)).toEqual([]); // VerifyUser is idempotent: retried on a survivor
    expect(failed(toProjects).filter((o) => !mayHaveBeenProcessed(o))).toEqual([]);
    expect(failed(toProjects).length).toBeLessThanOrEqual(4); // at most the requests in flight
    expect(survivorsGot.webapp).toBeGreaterThanOrEqual(sentAfterKill(toProjects));
    expect(survivorsGot.rpcApp).toBeGreaterThanOrEqual(sentAfterKill(toVerify));
    // The killed replica is still listed by DNS (as a dead pod may be) but is out of rotation.
    const health = JSON.parse(
      (await get(`${stack.gateways[0].adminUrl}/_status/healthcheck`)).text,
    );
    const victim = health.info.upstreams['webapp-1'].endpoints.find(
      (e: { address: string }) => e.address === webappVictim.address,
    );
    expect(victim.state).toMatch(/ejected|probing/);
  });

  it('replica return and scale-up: the restarted replicas and a 4th one behind the name get traffic without a gateway restart', async () => {
    const gatewayPid = stack.gateways[0].pid;
    const restarted = [stack.webapps[0], stack.rpcApps[0]];
    // Down first (as the replica-loss test leaves them, if it ran): this test stands alone.
    await Promise.all(restarted.map((replica) => replica.kill()));
    const added = [stack.addReplica('webapp-1'), stack.addReplica('rpc-app-1')]; // published in DNS
    const watched = [...restarted, ...added];
    for (const replica of watched) replica.start();
    await Promise.all(watched.map((replica) => replica.waitReady()));
    const readyAt = Date.now();

    const firstTraffic = new Map<AppProcess, number>();
    let done = false;
    const runs = Promise.all([
      load({ url: projects.url(), body: projects.body, concurrency: 2, stop: () => done }),
      load({ url: verify.url(), body: verify.body, concurrency: 2, stop: () => done }),
    ]);
    await eventually(
      async () => {
        for (const replica of watched)
          if (!firstTraffic.has(replica) && (await served(replica)) > 0)
            firstTraffic.set(replica, Date.now() - readyAt);
        return firstTraffic.size === watched.length;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'traffic on every restarted and added replica' },
    ).catch(() => undefined); // the assertions below say which replica never got any
    done = true;
    const outcomes = (await runs).flat();

    console.log(
      `replica return / scale-up: traffic reached ${watched
        .map(
          (r) =>
            `${r.name}${restarted.includes(r) ? ' (restarted)' : ' (added)'} after ${firstTraffic.get(r) ?? 'never'} ms`,
        )
        .join(
          ', ',
        )} (from ready); ${outcomes.length} requests meanwhile, ${outcomes.filter((o) => o.status !== 200).length} failed; gateway pid unchanged: ${stack.gateways[0].pid === gatewayPid}`,
    );
    expect([...firstTraffic.keys()].map((r) => r.name).sort()).toEqual(
      watched.map((r) => r.name).sort(),
    );
    for (const ms of firstTraffic.values()) expect(ms).toBeLessThanOrEqual(20_000);
    expect(statusCounts(outcomes)).toEqual({ 200: outcomes.length });
    expect(stack.gateways[0].pid).toBe(gatewayPid);
    expect(stack.gateways[0].running).toBe(true);
  });
});

async function servedBy(groups: { webapp: AppProcess[]; rpcApp: AppProcess[] }) {
  return {
    webapp: await Promise.all(groups.webapp.map(served)),
    rpcApp: await Promise.all(groups.rpcApp.map(served)),
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
