import { parse as parseYaml } from 'yaml';
// The stack on real pods, reached as users reach it: the gateway's NodePort on the host. Service
// discovery by DNS name through CoreDNS, per-request spread over the backend pods, a pod whose
// readiness fails getting no traffic, and zero failed requests while pods are deleted, rolled,
// upgraded, rolled back and scaled. The rate limit is raised out of the way: the load here is about
// failover, not about limits.
import { spawnSync } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { eventually } from '../support/eventually.ts';
import { servedIn } from '../support/metrics.ts';
import { installServing } from './support/access.ts';
import { helmAsync, kubectl, kubectlAsync, kubectlJson } from './support/cluster.ts';
import { clusterDns, clusterNode, hostEndpoints } from './support/endpoints.ts';
import {
  gatewayWebappEndpoints,
  isReady,
  pods,
  podMetricsFromInside,
  readyPods,
  served,
  servedByPod,
} from './support/pods.ts';
import {
  deploymentName,
  LOAD_TEST_VALUES,
  rolloutStatus,
  uninstall,
  upgrade,
  type Release,
} from './support/release.ts';
import { expectSeedAnswers, seedRequests, sendSeed } from './support/seed.ts';
import { describeFailures, startLoad } from './support/traffic.ts';

const release: Release = { name: 'main', namespace: 'gs-main' };
let baseUrl = '';
/** The gateway's default UPSTREAM_DNS_REFRESH_MS (libs/upstream/src/upstream-env.ts). */
const DNS_REFRESH_MS = 5000;

beforeAll(async () => {
  baseUrl = await installServing(release, LOAD_TEST_VALUES);
}, 400_000);

afterAll(() => uninstall(release), 300_000);

test('the first requests through the NodePort on the host (the seed) answer exactly', async () => {
  expectSeedAnswers(await seedRequests(baseUrl));
});

test('the gateway finds both backends by Service DNS name through CoreDNS; no IP in its config', async () => {
  const configMaps = kubectlJson<{
    items: { metadata: { name: string }; data?: Record<string, string> }[];
  }>([
    'get',
    'configmaps',
    '-n',
    release.namespace,
    '-l',
    'app.kubernetes.io/component=gateway',
  ]).items;
  const env = Object.assign({}, ...configMaps.map((c) => c.data ?? {})) as Record<string, string>;
  // The upstreams are in the gateway's route file (ROUTES_FILE, a ConfigMap of its own).
  const routes = parseYaml(env['routes.yaml']) as {
    upstreams: { 'webapp-1': { urls: string[] }; 'rpc-app-1': { target: string } };
  };
  const upstreams = {
    WEBAPP_URL: routes.upstreams['webapp-1'].urls.join(','),
    RPC_TARGET: routes.upstreams['rpc-app-1'].target,
    REDIS_URL: env.REDIS_URL,
  };
  expect(upstreams.WEBAPP_URL).toMatch(/^http:\/\/[a-z0-9-]+(\.[a-z0-9-]+)+:\d+$/);
  expect(upstreams.RPC_TARGET).toMatch(/^dns:\/\/\/[a-z0-9-]+(\.[a-z0-9-]+)+:\d+$/);
  // Upstreams by name only (HOST=0.0.0.0 is a bind address, not an upstream).
  for (const [name, value] of Object.entries(upstreams))
    expect({ name, value }).not.toEqual({
      name,
      value: expect.stringMatching(/\b\d{1,3}(\.\d{1,3}){3}\b/),
    });

  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([clusterDns()]);
  const names = {
    'webapp-1': new URL(upstreams.WEBAPP_URL).hostname,
    'rpc-app-1': upstreams.RPC_TARGET.replace('dns:///', '').replace(/:\d+$/, ''),
  };
  for (const [app, name] of Object.entries(names)) {
    const addresses = (await resolver.resolve4(name)).sort();
    const podIps = readyPods(release, app)
      .map((p) => p.status.podIP)
      .sort();
    expect({ app, addresses }).toEqual({ app, addresses: podIps });
  }
});

test('requests spread over the 3 webapp-1 and the 3 rpc-app-1 pods (each within 20 % of even)', async () => {
  // A gateway that started while a backend pod was not Ready yet learns of it at its next DNS
  // refresh (UPSTREAM_DNS_REFRESH_MS, 5 s): wait until every gateway balances over all webapp-1
  // pods, then one more refresh, which the gRPC channels' resolver gets too.
  const webappPods = readyPods(release, 'webapp-1').map((p) => p.status.podIP);
  await eventually(
    () => {
      for (const gateway of readyPods(release, 'gateway'))
        expect({
          gateway: gateway.metadata.name,
          addresses: gatewayWebappEndpoints(release, gateway.metadata.name)
            .map((endpoint) => endpoint.replace(/:\d+$/, ''))
            .sort(),
        }).toEqual({ gateway: gateway.metadata.name, addresses: [...webappPods].sort() });
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  await new Promise((resolve) => setTimeout(resolve, DNS_REFRESH_MS));
  const per = 600;
  for (const [app, route] of [
    ['webapp-1', 'projects'],
    ['rpc-app-1', 'verify'],
  ] as const) {
    const before = servedByPod(release, app);
    for (let sent = 0; sent < per; sent += 6) {
      const answers = await Promise.all(Array.from({ length: 6 }, () => sendSeed(baseUrl, route)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    }
    const after = servedByPod(release, app);
    const deltas = [...before.keys()].map((pod) => after.get(pod)! - before.get(pod)!);
    console.log(`${app}: ${per} requests over its pods: [${deltas.join(', ')}]`);
    expect(deltas.reduce((a, b) => a + b, 0)).toBe(per);
    for (const delta of deltas)
      expect(Math.abs(delta - per / 3)).toBeLessThanOrEqual((per / 3) * 0.2);
  }
}, 180_000);

test('a pod whose readiness fails leaves the Service endpoints and gets no traffic', async () => {
  // A pod on the host's own node: its kubelet probes from the host's network namespace (those of
  // nodes 2..N probe from theirs), so refusing the host's connections to that pod's admin port fails
  // its readiness probe, and nothing else (the gateway reaches the pod over the bridge).
  const webapps = readyPods(release, 'webapp-1');
  const victim = webapps.find((pod) => pod.spec.nodeName === clusterNode().name);
  if (!victim) throw new Error(`no webapp-1 pod on the host's node ${clusterNode().name}`);
  const others = webapps.filter((pod) => pod !== victim);
  const ip = victim.status.podIP!;
  const rule = [
    'OUTPUT',
    '-d',
    `${ip}/32`,
    '-p',
    'tcp',
    '--dport',
    '9000',
    '-j',
    'REJECT',
    '--reject-with',
    'tcp-reset',
  ];
  const iptables = (op: '-I' | '-D') => {
    const result = spawnSync('iptables', [op, ...rule], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`iptables ${op}: ${result.stderr}`);
  };
  const victimServed = () =>
    servedIn(podMetricsFromInside(release, victim.metadata.name), 'webapp-1');
  iptables('-I');
  try {
    await eventually(() => {
      const pod = pods(release, 'webapp-1').find((p) => p.metadata.name === victim.metadata.name)!;
      expect(isReady(pod)).toBe(false);
    }, 60_000);
    await eventually(() => {
      const slices = kubectlJson<{
        items: { endpoints?: { addresses: string[]; conditions: { ready?: boolean } }[] }[];
      }>([
        'get',
        'endpointslices',
        '-n',
        release.namespace,
        '-l',
        'app.kubernetes.io/component=webapp-1',
      ]).items;
      const readyAddresses = slices
        .flatMap((s) => s.endpoints ?? [])
        .filter((e) => e.conditions.ready)
        .flatMap((e) => e.addresses);
      expect(readyAddresses).not.toContain(ip);
    }, 30_000);
    // The gateway follows DNS (UPSTREAM_DNS_REFRESH_MS); wait until a whole batch misses the pod.
    let quiet = false;
    for (let attempt = 0; attempt < 30 && !quiet; attempt++) {
      const start = victimServed();
      await Promise.all(Array.from({ length: 20 }, () => sendSeed(baseUrl, 'projects')));
      quiet = victimServed() === start;
    }
    expect(quiet).toBe(true);
    // Measured: 300 requests, every one answered by the two ready pods.
    const before = others.map((p) => served(release, 'webapp-1', p.metadata.name));
    const victimBefore = victimServed();
    for (let sent = 0; sent < 300; sent += 10) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => sendSeed(baseUrl, 'projects')),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
    }
    const after = others.map((p) => served(release, 'webapp-1', p.metadata.name));
    expect({
      victim: victimServed() - victimBefore,
      others: after[0] - before[0] + (after[1] - before[1]),
    }).toEqual({
      victim: 0,
      others: 300,
    });
  } finally {
    iptables('-D');
  }
  await eventually(() => expect(readyPods(release, 'webapp-1').length).toBe(3), 60_000);
}, 240_000);

/** Runs `disrupt` under steady load on both routes and returns the load report. */
async function underLoad(disrupt: () => Promise<void> | void) {
  const traffic = startLoad(baseUrl, 3);
  // Some load before the disruption, so it hits a stack under traffic.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  try {
    await disrupt();
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return traffic.stop();
}

function expectNoFailures(what: string, report: Awaited<ReturnType<typeof underLoad>>) {
  console.log(
    `${what}: ${report.total} requests (${JSON.stringify(report.byRoute)}), ${report.failed.length} failed`,
  );
  expect(report.total).toBeGreaterThan(100);
  expect({ what, failed: describeFailures(report) }).toEqual({ what, failed: [] });
}

test('deleting one pod of each backend under load: 0 failed requests', async () => {
  const report = await underLoad(async () => {
    const victims = ['webapp-1', 'rpc-app-1'].map(
      (app) => readyPods(release, app)[0].metadata.name,
    );
    const deleted = await kubectlAsync(
      ['delete', 'pod', '-n', release.namespace, ...victims, '--wait=true', '--timeout=120s'],
      150_000,
    );
    expect(deleted.output).toContain('deleted');
    await eventually(() => {
      for (const app of ['webapp-1', 'rpc-app-1']) expect(readyPods(release, app).length).toBe(3);
    }, 120_000);
  });
  expectNoFailures('pod deletion', report);
}, 300_000);

test('a rolling restart of all three Deployments under load: 0 failed requests', async () => {
  const report = await underLoad(async () => {
    for (const app of ['gateway', 'webapp-1', 'rpc-app-1'])
      kubectl([
        'rollout',
        'restart',
        '-n',
        release.namespace,
        `deployment/${deploymentName(release, app)}`,
      ]);
    for (const app of ['gateway', 'webapp-1', 'rpc-app-1']) await rolloutStatus(release, app);
  });
  expectNoFailures('rolling restart', report);
}, 600_000);

test('helm upgrade to a new image tag, then helm rollback, under load: 0 failed requests each', async () => {
  const tag = 'rollout-check';
  // The same images under a new tag, on every node: every pod of every app is replaced, as by a
  // release upgrade.
  for (const [app, socket] of ['gateway', 'webapp-1', 'rpc-app-1'].flatMap((app) =>
    hostEndpoints().containerdSockets.map((socket) => [app, socket] as const),
  )) {
    const result = spawnSync(
      'ctr',
      [
        '--address',
        socket,
        '-n',
        'k8s.io',
        'images',
        'tag',
        '--force',
        `docker.io/gateway-stack/${app}:0.1.0`,
        `docker.io/gateway-stack/${app}:${tag}`,
      ],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`ctr images tag: ${result.stderr}`);
  }
  const upgraded = await underLoad(() =>
    upgrade(release, { ...LOAD_TEST_VALUES, image: { tag } }).then(() => undefined),
  );
  for (const app of ['gateway', 'webapp-1', 'rpc-app-1'])
    for (const pod of readyPods(release, app))
      expect(JSON.stringify(pod.spec)).toContain(`:${tag}`);
  expectNoFailures('helm upgrade', upgraded);

  const rolledBack = await underLoad(async () => {
    await helmAsync(
      ['rollback', release.name, '1', '-n', release.namespace, '--wait', '--timeout', '5m'],
      330_000,
    );
  });
  for (const app of ['gateway', 'webapp-1', 'rpc-app-1'])
    for (const pod of readyPods(release, app))
      expect(JSON.stringify(pod.spec)).not.toContain(`:${tag}`);
  expectNoFailures('helm rollback', rolledBack);
}, 900_000);

test('webapp-1 scaled 3 -> 5: the new pods get traffic within 10 s, no gateway restart; 5 -> 2 under load: 0 failed', async () => {
  const gatewaysBefore = readyPods(release, 'gateway')
    .map((p) => `${p.metadata.name}/${p.status.containerStatuses?.[0].restartCount}`)
    .sort();
  const oldPods = new Set(readyPods(release, 'webapp-1').map((p) => p.metadata.name));
  const deployment = `deployment/${deploymentName(release, 'webapp-1')}`;
  const traffic = startLoad(baseUrl, 2);
  try {
    kubectl(['scale', '-n', release.namespace, deployment, '--replicas=5']);
    await eventually(() => expect(readyPods(release, 'webapp-1').length).toBe(5), 120_000);
    const readyAt = Date.now();
    const newPods = readyPods(release, 'webapp-1')
      .map((p) => p.metadata.name)
      .filter((n) => !oldPods.has(n));
    expect(newPods.length).toBe(2);
    const firstServed = new Map<string, number>();
    while (firstServed.size < newPods.length && Date.now() - readyAt < 10_000) {
      for (const pod of newPods)
        if (!firstServed.has(pod) && served(release, 'webapp-1', pod) > 0)
          firstServed.set(pod, Date.now() - readyAt);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    console.log(
      `scale-up: new webapp-1 pods served their first request ${JSON.stringify(Object.fromEntries(firstServed))} ms after all were Ready`,
    );
    expect([...firstServed.keys()].sort()).toEqual(newPods.sort());
  } finally {
    expectNoFailures('scale-up', await traffic.stop());
  }
  const scaleDown = await underLoad(async () => {
    kubectl(['scale', '-n', release.namespace, deployment, '--replicas=2']);
    await eventually(() => expect(pods(release, 'webapp-1').length).toBe(2), 120_000);
  });
  expectNoFailures('scale-down to 2', scaleDown);
  const gatewaysAfter = readyPods(release, 'gateway')
    .map((p) => `${p.metadata.name}/${p.status.containerStatuses?.[0].restartCount}`)
    .sort();
  expect(gatewaysAfter).toEqual(gatewaysBefore);
}, 400_000);
