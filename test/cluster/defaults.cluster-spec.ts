// `helm install` with the chart's defaults, exactly as a user's first install: what runs, how the
// kubelet probes it, that it answers at once when `--wait` returns, `helm test`, and that
// `helm uninstall` leaves nothing of the release behind.
import { eventually } from '../support/eventually.ts';
import { sample } from '../support/metrics.ts';
import { portForward } from './support/access.ts';
import { helm, kubectl, kubectlJson } from './support/cluster.ts';
import { isReady, pods } from './support/pods.ts';
import { APPS, install, leftovers, selector, uninstall, type Release } from './support/release.ts';
import { expectSeedAnswers, seedRequests } from './support/seed.ts';

const release: Release = { name: 'defaults', namespace: 'gs-defaults' };
let installSeconds = 0;

beforeAll(() => {
  uninstall(release);
  installSeconds = install(release);
  console.log(`helm install --wait with the defaults: ${installSeconds.toFixed(1)} s`);
}, 400_000);

afterAll(() => uninstall(release), 300_000);

test('3 Ready pods of each app and a Ready Redis, none restarted', () => {
  for (const app of APPS) {
    const appPods = pods(release, app);
    expect({ app, ready: appPods.filter(isReady).length }).toEqual({ app, ready: 3 });
    for (const pod of appPods)
      expect(pod.status.containerStatuses?.map((c) => c.restartCount)).toEqual([0]);
  }
  expect(pods(release, 'redis').filter(isReady).length).toBe(1);
});

test('readiness is /_status/healthcheck on the admin port, and the kubelet really probed it', () => {
  // The kubelet's own count of its probes (its /metrics/probes, through the API server): the
  // kubelet of the node each pod runs on.
  const probesOf = new Map<string, string>();
  const probesOn = (node: string) => {
    if (!probesOf.has(node))
      probesOf.set(node, kubectl(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics/probes`]));
    return probesOf.get(node)!;
  };
  for (const app of APPS) {
    for (const pod of pods(release, app)) {
      const probes = probesOn(pod.spec.nodeName ?? '');
      const probe = pod.spec.containers[0].readinessProbe;
      expect(probe?.httpGet).toEqual({
        path: '/_status/healthcheck',
        port: 'admin',
        scheme: 'HTTP',
      });
      const successful = sample(probes, 'prober_probe_total', {
        namespace: release.namespace,
        pod: pod.metadata.name,
        probe_type: 'Readiness',
        result: 'successful',
      });
      expect({ pod: pod.metadata.name, probed: successful > 0 }).toEqual({
        pod: pod.metadata.name,
        probed: true,
      });
    }
  }
});

test('right after `helm install --wait` returned, the seed requests answered exactly', async () => {
  // beforeAll returned from --wait moments ago; no retry here: a user's first curl gets this.
  const gateway = kubectlJson<{ items: { metadata: { name: string } }[] }>([
    'get',
    'services',
    '-n',
    release.namespace,
    '-l',
    `${selector(release, 'gateway')}`,
    '--field-selector',
    'spec.clusterIP!=None',
  ]).items[0].metadata.name;
  const forward = await portForward(release.namespace, `service/${gateway}`, 8000);
  try {
    expectSeedAnswers(await seedRequests(forward.url));
  } finally {
    forward.stop();
  }
});

test('helm test passes', () => {
  const out = helm(['test', release.name, '-n', release.namespace, '--timeout', '3m']);
  expect(out).toMatch(/Phase:\s+Succeeded/);
});

test('helm uninstall leaves nothing of the release behind', async () => {
  helm(['uninstall', release.name, '-n', release.namespace, '--wait']);
  const isPod = (name: string) => name.startsWith('pod/');
  expect(leftovers(release.namespace, selector(release)).filter((n) => !isPod(n))).toEqual([]);
  // Pods go through their termination (preStop, drain); none may remain once it is over.
  await eventually(() => expect(leftovers(release.namespace).filter(isPod)).toEqual([]), {
    timeoutMs: 120_000,
    intervalMs: 1000,
  });
}, 200_000);
