import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess } from '../../process-topology/index.ts';
import { eventually } from '../support/eventually.ts';
import { load, type Outcome, statusCounts } from '../support/load.ts';
import { sample, scrape, served } from '../support/metrics.ts';
import { testStack } from '../support/stack.ts';

// A replica that accepts and never answers - a frozen process, what a lost node looks like to the
// gateway until its endpoints go away. One webapp-1 and one rpc-app-1 replica of three are stopped
// (SIGSTOP) under steady load for a bounded time, then continued (SIGCONT). The gateway runs with
// its defaults (docs/traffic.md): 5 s deadlines, per-try timeout for idempotent calls,
// least-request balancing, ejection of replicas that time out.
describe('a replica that hangs', () => {
  /** Clients per route, each pausing PAUSE_MS after every answer: ~80 requests/s per route. */
  const CLIENTS = 8;
  const PAUSE_MS = 100;
  /** The gateway's default deadline of both routes (WEBAPP_TIMEOUT_MS, RPC_TIMEOUT_MS). */
  const DEADLINE_MS = 5000;
  /** Shorter than two deadlines, so only requests of the first wave can wait out a whole deadline. */
  const FROZEN_MS = 8000;
  const stack = testStack({ replicas: 3 });
  const frozen: AppProcess[] = [];
  beforeAll(() => stack.start());
  afterAll(async () => {
    // Whatever happened, never leave a stopped process behind: it would not see SIGTERM.
    for (const replica of frozen) if (replica.pid) process.kill(replica.pid, 'SIGCONT');
    await stack.stop();
  });

  it('idempotent /verify/ loses nothing; /projects/ loses only requests already written to the frozen replica', async () => {
    const [webapp, rpcApp] = [stack.webapps[1], stack.rpcApps[1]];
    let frozenAt = Infinity;
    let resumedAt = Infinity;
    let endAt = Infinity;
    const run = (path: string, body: unknown) =>
      load({
        url: `${stack.gatewayUrl}${path}`,
        body,
        concurrency: CLIENTS,
        pauseMs: PAUSE_MS,
        durationMs: 60_000,
        stop: () => Date.now() >= endAt,
      });
    const runs = Promise.all([
      run('/projects/', { title: 'x' }),
      run('/verify/', { id: 1, token: 't' }),
    ]);
    await sleep(1500);
    for (const replica of [webapp, rpcApp]) {
      process.kill(replica.pid!, 'SIGSTOP');
      frozen.push(replica);
    }
    frozenAt = Date.now();
    await sleep(FROZEN_MS);
    for (const replica of frozen.splice(0)) process.kill(replica.pid!, 'SIGCONT');
    resumedAt = Date.now();
    // Long enough for every request written to a frozen replica to end (answered or timed out).
    endAt = resumedAt + DEADLINE_MS + 1000;
    const [projects, verify] = await runs;

    const failed = (outcomes: Outcome[]) => outcomes.filter((o) => o.status !== 200);
    const waited = (outcomes: Outcome[]) =>
      outcomes.map((o) => `${(o.ms / 1000).toFixed(1)} s`).join(', ') || '-';
    const during = (outcomes: Outcome[]) =>
      outcomes.filter((o) => o.startedAt >= frozenAt && o.startedAt < resumedAt).length;
    const gateway = await scrape(stack.gateways[0].adminUrl);
    const retries = sample(gateway, 'upstream_retries_total', { upstream: 'rpc-app-1' });
    // Least-request balancing (docs/traffic.md): a new request goes to the frozen replica only
    // while it holds no more outstanding requests than another candidate. With CLIENTS requests in
    // flight at most, it never holds more than floor((CLIENTS - 1) / 2) + 1 of them; those wait out
    // their deadline, and as FROZEN_MS < 2 deadlines, requests written after they time out are
    // answered after SIGCONT. Blind round robin lets every client pile onto it (CLIENTS).
    const bound = Math.floor((CLIENTS - 1) / 2) + 1;
    console.log(
      `replica that hangs (${CLIENTS} clients per route, ~${Math.round((CLIENTS * 1000) / PAUSE_MS)} req/s each, one of 3 replicas of each backend SIGSTOPped for ${FROZEN_MS} ms): ` +
        `/projects/ sent ${projects.length} (${during(projects)} while frozen) -> ${JSON.stringify(statusCounts(projects))}, failed ones waited ${waited(failed(projects))} (bound ${bound}); ` +
        `/verify/ sent ${verify.length} (${during(verify)} while frozen) -> ${JSON.stringify(statusCounts(verify))}, failed ones waited ${waited(failed(verify))}; ` +
        `rpc-app-1 retries ${retries}`,
    );
    expect(FROZEN_MS).toBeLessThan(2 * DEADLINE_MS);
    expect(statusCounts(verify)).toEqual({ 200: verify.length });
    // The freeze was real: idempotent calls met it and were retried elsewhere ...
    expect(retries).toBeGreaterThanOrEqual(1);
    // ... and non-idempotent ones written to the frozen replica timed out (never retried).
    expect(failed(projects).length).toBeGreaterThanOrEqual(1);
    expect(failed(projects).length).toBeLessThanOrEqual(bound);
    expect(failed(projects).every((o) => o.status === 504)).toBe(true);

    // Recovery: the continued replicas take requests again.
    for (const replica of [webapp, rpcApp]) {
      const before = await served(replica);
      await eventually(
        async () => {
          await load({
            url: `${stack.gatewayUrl}${replica === webapp ? '/projects/' : '/verify/'}`,
            body: replica === webapp ? { title: 'x' } : { id: 1, token: 't' },
            concurrency: 2,
            requests: 20,
          });
          return (await served(replica)) > before;
        },
        { timeoutMs: 60_000, intervalMs: 500, what: `${replica.name} serving again` },
      );
    }
  });
});
