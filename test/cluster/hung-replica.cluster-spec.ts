// A replica that hangs under load, on a real cluster: every process of one webapp-1 pod and one
// rpc-app-1 pod stopped at once by their cgroup freezer (`npm run cluster -- pod-freeze`) for
// FROZEN_MS, then thawed. Its node and kubelet stay healthy, so nothing but the gateway's own
// deadlines, per-try timeouts, least-request balancing and ejection (docs/adr/0010) - and, after
// some seconds, the failing readiness probe - keeps requests away from it. Clients keep their
// connections alive, as load balancers do. Idempotent /verify/ loses nothing; /projects/ loses only
// requests already written to the frozen pod, each answered 504 at the gateway's deadline.
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually } from '../support/eventually.ts';
import { load, statusCounts, type Outcome } from '../support/load.ts';
import { installServing } from './support/access.ts';
import { clusterScript } from './support/cluster.ts';
import { client } from './support/client.ts';
import { readyPods } from './support/pods.ts';
import { APPS, LOAD_TEST_VALUES, uninstall, type Release } from './support/release.ts';
import { SEED_REQUESTS } from './support/seed.ts';
import { DEADLINE_MS, UNANSWERED_REPLICA_BOUND } from './support/traffic.ts';

const release: Release = { name: 'hung', namespace: 'gs-hung-replica' };
/** Clients per route, each pausing PAUSE_MS after every answer. */
const CLIENTS = 4;
const PAUSE_MS = 50;
/** Longer than the readiness probe takes to fail, as the lost node of node-loss.cluster-spec.ts. */
const FROZEN_MS = 30_000;
let url = '';
const frozen: string[] = [];

beforeAll(async () => {
  url = await installServing(release, LOAD_TEST_VALUES);
}, 400_000);

afterAll(async () => {
  // Whatever happened, never leave a frozen pod behind: it would not even die.
  for (const pod of frozen.splice(0))
    await clusterScript('pod-freeze', [`${release.namespace}/${pod}`, 'off']);
  uninstall(release);
}, 300_000);

test('a frozen webapp-1 and rpc-app-1 pod: /verify/ loses nothing, /projects/ only requests written to the frozen pod', async () => {
  let endAt = Infinity;
  const run = (route: keyof typeof SEED_REQUESTS) =>
    load({
      url: `${url}${SEED_REQUESTS[route].path}`,
      body: SEED_REQUESTS[route].body,
      concurrency: CLIENTS,
      pauseMs: PAUSE_MS,
      durationMs: 240_000,
      stop: () => Date.now() >= endAt,
      dispatcher: client,
    });
  const runs = Promise.all([run('projects'), run('verify')]);
  let frozenAt = 0;
  let thawedAt = 0;
  try {
    await sleep(3000);
    for (const app of ['webapp-1', 'rpc-app-1']) {
      const [pod] = readyPods(release, app);
      await clusterScript('pod-freeze', [`${release.namespace}/${pod.metadata.name}`, 'on']);
      frozen.push(pod.metadata.name);
    }
    frozenAt = Date.now();
    await sleep(FROZEN_MS);
  } finally {
    for (const pod of frozen.splice(0))
      await clusterScript('pod-freeze', [`${release.namespace}/${pod}`, 'off']);
    thawedAt = Date.now();
  }
  await eventually(() => APPS.every((app) => readyPods(release, app).length === 3), {
    timeoutMs: 180_000,
    intervalMs: 1000,
    what: 'every app with 3 Ready pods after the thaw',
  });
  // Every request written to a frozen pod has ended by now (answered or timed out).
  endAt = Date.now() + DEADLINE_MS;
  const [projects, verify] = await runs;

  const failed = (outcomes: Outcome[]) => outcomes.filter((o) => o.status !== 200);
  const during = (outcomes: Outcome[]) =>
    outcomes.filter((o) => o.startedAt >= frozenAt && o.startedAt < thawedAt).length;
  const waits = (outcomes: Outcome[]) =>
    failed(outcomes)
      .map((o) => `${((o.startedAt - frozenAt) / 1000).toFixed(1)}+${(o.ms / 1000).toFixed(1)} s`)
      .join(', ') || '-';
  console.log(
    `hung replica (one webapp-1 and one rpc-app-1 pod frozen ${FROZEN_MS / 1000} s, ${CLIENTS} keep-alive clients per route): ` +
      `/projects/ sent ${projects.length} (${during(projects)} while frozen) -> ${JSON.stringify(statusCounts(projects))}, failed (sent after the freeze + waited) ${waits(projects)}; ` +
      `/verify/ sent ${verify.length} (${during(verify)} while frozen) -> ${JSON.stringify(statusCounts(verify))}, failed ${waits(verify)}; bound on /projects/ ${UNANSWERED_REPLICA_BOUND}`,
  );
  expect(statusCounts(verify)).toEqual({ 200: verify.length });
  // Lost only what was written to the frozen pod: the gateway's deadline answered each one.
  expect(failed(projects).every((o) => o.status === 504 && o.ms >= DEADLINE_MS - 100)).toBe(true);
  expect(failed(projects).length).toBeLessThanOrEqual(UNANSWERED_REPLICA_BOUND);
}, 600_000);
