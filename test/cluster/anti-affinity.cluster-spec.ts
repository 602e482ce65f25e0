// `podAntiAffinity: hard` with replicas == nodes (3 of each app on 3 nodes), as the chart's README
// documents it: every app has one pod per node; a rollout with the default strategy (maxSurge 1,
// maxUnavailable 0) waits - its surge pod fits on no node - while every old pod keeps serving; a
// `helm upgrade` to `maxSurge: 0, maxUnavailable: 1` with a new pod template then rolls all three
// apps under load, clients on new connections and clients keeping idle connections alive alike,
// with 0 failed requests, and leaves one pod of each app per node again.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { eventually } from '../support/eventually.ts';
import { installServing } from './support/access.ts';
import { kubectlAsync } from './support/cluster.ts';
import { placement, readyNodeNames } from './support/nodes.ts';
import { isReady, pods, readyPods, type Pod } from './support/pods.ts';
import {
  APPS,
  deploymentName,
  LOAD_TEST_VALUES,
  selector,
  uninstall,
  upgrade,
  type Release,
} from './support/release.ts';
import {
  describeFailures,
  keepAliveLoad,
  startLoad,
  type KeptAlive,
  type LoadReport,
} from './support/traffic.ts';

const release: Release = { name: 'hard', namespace: 'gs-anti-affinity' };
const HARD = { ...LOAD_TEST_VALUES, componentDefaults: { podAntiAffinity: 'hard' } };
/** After the last rollout step the old pod is still terminating (preStop 5 s + drain 1 s). */
const LAST_POD_TERMINATION_MS = 10_000;
let url = '';

beforeAll(async () => {
  url = await installServing(release, HARD);
}, 400_000);

afterAll(() => uninstall(release), 300_000);

const onDistinctNodes = (nodes: string[]) => new Set(nodes).size === nodes.length;

test('hard anti-affinity, replicas == nodes: one pod per node; a surge rollout waits, a maxUnavailable rollout under load loses nothing', async () => {
  expect(readyNodeNames()).toHaveLength(3);
  const before = placement(release);
  for (const app of APPS)
    expect({ app, nodes: before[app], distinct: onDistinctNodes(before[app]) }).toEqual({
      app,
      nodes: before[app],
      distinct: true,
    });

  const newConnections = new Agent({ pipelining: 0 });
  const load = startLoad(url, 2, newConnections);
  const keepAlive = keepAliveLoad(url, 'hard');

  let waiting: Pod | undefined;
  let oldStillReady: number | undefined;
  let upgradeS: number | undefined;
  let report: LoadReport;
  let kept: KeptAlive;
  try {
    await sleep(3000);
    // With the defaults the surge pod has no node to go to, and no old pod leaves.
    const restart = await kubectlAsync([
      'rollout',
      'restart',
      '-n',
      release.namespace,
      `deployment/${deploymentName(release, 'webapp-1')}`,
    ]);
    expect(restart.code).toBe(0);
    waiting = await eventually(
      async () => {
        const { code, stdout } = await kubectlAsync(
          [
            'get',
            'pods',
            '-n',
            release.namespace,
            '-l',
            selector(release, 'webapp-1'),
            '-o',
            'json',
          ],
          15_000,
        );
        if (code !== 0) return false;
        const items = (JSON.parse(stdout) as { items: Pod[] }).items;
        return (
          items.find((pod) =>
            pod.status.conditions?.some(
              (c) =>
                c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
            ),
          ) ?? false
        );
      },
      { timeoutMs: 60_000, intervalMs: 1000, what: 'the surge pod of webapp-1 Unschedulable' },
    );
    await sleep(5000);
    oldStillReady = pods(release, 'webapp-1').filter(
      (pod) => isReady(pod) && pod.metadata.name !== waiting!.metadata.name,
    ).length;
    // maxSurge 0 / maxUnavailable 1, and a new pod template: every app rolls, one pod down at a time.
    upgradeS = await upgrade(release, {
      ...LOAD_TEST_VALUES,
      componentDefaults: {
        podAntiAffinity: 'hard',
        maxSurge: 0,
        maxUnavailable: 1,
        podAnnotations: { 'gateway-stack.test/rollout': 'one-down-at-a-time' },
      },
    });
    await sleep(LAST_POD_TERMINATION_MS);
  } finally {
    report = await load.stop();
    kept = await keepAlive.stop();
    await newConnections.close();
  }
  const after = placement(release);
  const keptSent = kept.sent;
  const keptFailed = kept.failed;
  console.log(
    `hard anti-affinity: surge pod ${waiting?.metadata.name} Unschedulable with ${oldStillReady} old webapp-1 pods Ready; ` +
      `helm upgrade to maxUnavailable 1 in ${upgradeS?.toFixed(0)} s: new connections ${report.failed.length} of ${report.total} failed, ` +
      `keep-alive (10 connections idle up to 3 s) ${keptFailed} of ${keptSent} failed; placement before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
  );
  expect(waiting).toBeDefined();
  expect(oldStillReady).toBe(3);
  expect({ failed: describeFailures(report) }).toEqual({ failed: [] });
  expect({
    keptFailed,
    failures: kept.failures.slice(0, 5),
  }).toEqual({
    keptFailed: 0,
    failures: [],
  });
  expect(report.total).toBeGreaterThan(100);
  expect(keptSent).toBeGreaterThan(100);
  for (const app of APPS) {
    const ready = readyPods(release, app);
    expect({
      app,
      ready: ready.length,
      annotated: ready.every(
        (p) => p.metadata.annotations?.['gateway-stack.test/rollout'] === 'one-down-at-a-time',
      ),
      distinct: onDistinctNodes(after[app]),
    }).toEqual({
      app,
      ready: 3,
      annotated: true,
      distinct: true,
    });
  }
}, 900_000);
