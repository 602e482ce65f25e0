// `kubectl drain` of a node under steady load, as every cluster upgrade does it, on 3 nodes with the
// chart's defaults (one replica of each app per node, a PodDisruptionBudget of maxUnavailable 1):
// clients on a new connection per request and clients that keep connections alive and idle up to
// 3 s (as load balancers and SDK pools do) lose no request, and the budget holds. To see it hold,
// one gateway replica on another node is evicted just before the drain: its budget is then spent,
// so the drain's eviction of the gateway on the drained node must be refused (429) and retried
// until the replacement is Ready - never 2 of a kind gone at once.
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { eventually } from '../support/eventually.ts';
import { installServing } from './support/access.ts';
import { kubectlAsync, type CommandOutcome } from './support/cluster.ts';
import { evict, placement, readyNodeNames, watchReadyPods } from './support/nodes.ts';
import { pods } from './support/pods.ts';
import { APPS, LOAD_TEST_VALUES, uninstall, type App, type Release } from './support/release.ts';
import {
  describeFailures,
  keepAliveLoad,
  startLoad,
  type KeptAlive,
  type LoadReport,
} from './support/traffic.ts';

const release: Release = { name: 'drain', namespace: 'gs-drain' };
/** After the last eviction the pod is still terminating (preStop 5 s + drain 1 s). */
const LAST_POD_TERMINATION_MS = 10_000;
let url = '';

beforeAll(async () => {
  url = await installServing(release, LOAD_TEST_VALUES);
}, 400_000);

afterAll(async () => {
  for (const node of readyNodeNames()) await kubectlAsync(['uncordon', node]);
  uninstall(release);
}, 300_000);

/** Resolves once every app has 3 Ready pods, none on `node` (bounded). */
async function wholeWithout(node: string): Promise<void> {
  await eventually(
    async () => {
      const { code, stdout } = await kubectlAsync([
        'get',
        'pods',
        '-n',
        release.namespace,
        '-o',
        'json',
      ]);
      if (code !== 0) return false;
      const live = (JSON.parse(stdout) as { items: Parameters<typeof readyOnly>[0] }).items;
      return (
        APPS.every((app) => readyOnly(live, app).filter((n) => n !== node).length === 3) &&
        APPS.every((app) => !readyOnly(live, app).includes(node))
      );
    },
    { timeoutMs: 240_000, intervalMs: 1000, what: `3 Ready pods of every app off ${node}` },
  );
}

function readyOnly(
  items: {
    metadata: { labels: Record<string, string>; deletionTimestamp?: string };
    spec: { nodeName?: string };
    status: { conditions?: { type: string; status: string }[] };
  }[],
  app: App,
): string[] {
  return items
    .filter(
      (pod) =>
        pod.metadata.labels['app.kubernetes.io/instance'] === release.name &&
        pod.metadata.labels['app.kubernetes.io/component'] === app &&
        !pod.metadata.deletionTimestamp &&
        pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .map((pod) => pod.spec.nodeName ?? '');
}

test('kubectl drain of a node under load: 0 failed requests, and the PodDisruptionBudget holds', async () => {
  const before = placement(release);
  const target = readyNodeNames()
    .reverse()
    .find((node) => APPS.every((app) => before[app].includes(node)));
  expect({ placement: before, target }).toEqual({ placement: before, target: expect.any(String) });
  const spent = pods(release, 'gateway').find((pod) => pod.spec.nodeName !== target)!;
  const refused = pods(release, 'gateway').find((pod) => pod.spec.nodeName === target)!;

  const newConnections = new Agent({ pipelining: 0 });
  const load = startLoad(url, 2, newConnections);
  const keepAlive = keepAliveLoad(url, 'drain');

  const watch = watchReadyPods(release);
  let cordon: CommandOutcome | undefined;
  let spend: CommandOutcome | undefined;
  let drain: CommandOutcome | undefined;
  let report: LoadReport;
  let kept: KeptAlive;
  let lowest: Record<App, number>;
  const started = Date.now();
  try {
    await sleep(4000);
    cordon = await kubectlAsync(['cordon', target!]);
    spend = await evict(release.namespace, spent.metadata.name);
    drain = await kubectlAsync(
      ['drain', target!, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=300s'],
      330_000,
    );
    await wholeWithout(target!);
    await sleep(LAST_POD_TERMINATION_MS);
  } finally {
    report = await load.stop();
    kept = await keepAlive.stop();
    lowest = await watch.stop();
    await newConnections.close();
  }
  const after = placement(release);
  const keptSent = kept.sent;
  const keptFailed = kept.failed;
  console.log(
    `drain of ${target} in ${Math.round((Date.now() - started) / 1000)} s: new connections ${report.failed.length} of ${report.total} failed, ` +
      `keep-alive (10 connections idle up to 3 s) ${keptFailed} of ${keptSent} failed; fewest Ready pods ${JSON.stringify(lowest)}; ` +
      `placement before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
  );
  expect(cordon?.code).toBe(0);
  // The first eviction is allowed (the budget had 1 to give) ...
  expect({ spend: spend?.code, output: spend?.output }).toEqual({
    spend: 0,
    output: expect.any(String),
  });
  // ... the drain's eviction of the gateway on the node is then refused by the budget and retried.
  expect({ drain: drain?.code, output: drain?.output }).toEqual({
    drain: 0,
    output: expect.stringMatching(
      new RegExp(`evicting pods/"${refused.metadata.name}".*violate the pod's disruption budget`),
    ),
  });
  expect(drain?.output).toContain(`pod/${refused.metadata.name} evicted`);
  for (const app of APPS)
    expect({ app, fewestReady: lowest[app] >= 2 ? '>= 2' : lowest[app] }).toEqual({
      app,
      fewestReady: '>= 2',
    });
  for (const app of APPS)
    expect({ app, onDrained: after[app].includes(target!) }).toEqual({ app, onDrained: false });
  expect({ newConnections: describeFailures(report) }).toEqual({ newConnections: [] });
  expect({ keepAlive: kept.failures }).toEqual({
    keepAlive: [],
  });
  expect(report.total).toBeGreaterThan(100);
  expect(kept.ok).toBeGreaterThan(100);
}, 900_000);
