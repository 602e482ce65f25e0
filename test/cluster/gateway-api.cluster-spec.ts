// The gateway as a Kubernetes Gateway API implementation (chart gatewayApi.enabled; docs/adr/0011-
// gateway-api.md): the standard CRDs of the pinned release installed, the chart's GatewayClass, and
// a Gateway and HTTPRoutes applied with kubectl as any user would. Every gateway pod serves what an
// HTTPRoute asks (path prefix, a request header set, the backend a Service of somebody else's - the
// conformance suite's echo server), stops serving it when it is deleted, and changing other routes
// under load loses nothing on the route that did not change. The status says so, written by the one
// gateway pod that holds the status Lease, and by another once that pod is gone.
import { Client, credentials, Metadata, status as grpcStatus } from '@grpc/grpc-js';
import { eventually } from '../support/eventually.ts';
import { load, type Outcome } from '../support/load.ts';
import { installServing } from './support/access.ts';
import { client } from './support/client.ts';
import { apply, clusterScript, kubectl, kubectlJson } from './support/cluster.ts';
import { deployEcho, ECHO_PORT, type EchoServer } from './support/echo.ts';
import { podMetrics, pods, readyPods } from './support/pods.ts';
import { sample } from '../support/metrics.ts';
import { LOAD_TEST_VALUES, rolloutStatus, uninstall, type Release } from './support/release.ts';

const release: Release = { name: 'gwapi', namespace: 'gs-gateway-api' };
const GATEWAY_CLASS = 'gateway-stack';
/** The gateway's public container port (the chart's default), which the pods are reached on. */
const GATEWAY_PORT = 8000;
/**
 * The chart's Gateway API mode with its defaults: the gateway's memory limit is the mode's own
 * (gatewayApi.gatewayResources, 512Mi; at the components' 256Mi its pods were OOM-killed when ten
 * HTTPRoutes arrived at once).
 */
const GATEWAY_API_VALUES = { gatewayApi: { enabled: true } };
/** Routes added and removed while the steady route is under load. */
const CHANGES = 6;

let baseUrl = '';
let echo: EchoServer;

const gatewayObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'gw', namespace: release.namespace },
  spec: {
    gatewayClassName: GATEWAY_CLASS,
    listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
  },
};

/** An HTTPRoute of the Gateway: every request under `prefix` to the echo server, tagged. */
function echoRoute(name: string, prefix: string, backend?: string, gateway = 'gw'): object {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name, namespace: release.namespace },
    spec: {
      parentRefs: [{ name: gateway }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: prefix } }],
          filters: [
            {
              type: 'RequestHeaderModifier',
              requestHeaderModifier: { set: [{ name: 'x-gateway-route', value: name }] },
            },
          ],
          backendRefs: [{ name: backend ?? echo.name, port: ECHO_PORT }],
        },
      ],
    },
  };
}

interface Echoed {
  path: string;
  headers: Record<string, string[]>;
}

/** What `url` answers: the status, and the echo server's view of the request when it is 200. */
async function get(url: string): Promise<{ status: number; echoed?: Echoed }> {
  const response = await fetch(url, {
    dispatcher: client,
    signal: AbortSignal.timeout(5000),
  } as RequestInit);
  const text = await response.text();
  return {
    status: response.status,
    echoed: response.status === 200 ? (JSON.parse(text) as Echoed) : undefined,
  };
}

/** The base URL of every Ready gateway pod, reached directly on the cluster's network. */
function gatewayPodUrls(): string[] {
  return readyPods(release, 'gateway').map((pod) => `http://${pod.status.podIP}:${GATEWAY_PORT}`);
}

/** Resolves once every gateway pod answers `path` with `status` (bounded); the ms it took. */
async function everyPodAnswers(path: string, status: number, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  const urls = gatewayPodUrls();
  expect(urls).toHaveLength(3);
  await eventually(
    async () =>
      (
        await Promise.all(urls.map((url) => get(`${url}${path}`).catch(() => ({ status: 0 }))))
      ).every((answer) => answer.status === status),
    { timeoutMs, intervalMs: 100, what: `every gateway pod answering ${path} with ${status}` },
  );
  return Date.now() - started;
}

beforeAll(async () => {
  await clusterScript('gateway-api-crds');
  // installServing starts from an empty namespace: the echo server goes in after it.
  baseUrl = await installServing(release, [LOAD_TEST_VALUES, GATEWAY_API_VALUES]);
  echo = await deployEcho(release.namespace);
  apply(gatewayObject);
}, 600_000);

afterAll(() => {
  kubectl(['delete', 'namespace', release.namespace, '--ignore-not-found', '--wait=false']);
  uninstall(release);
}, 300_000);

test('an HTTPRoute applied with kubectl is served by every gateway pod, and deleting it stops that', async () => {
  expect((await get(`${baseUrl}/shop/items`)).status).toBe(404);
  const applied = Date.now();
  apply(echoRoute('shop', '/shop'));
  const servedMs = await everyPodAnswers('/shop/items', 200);
  console.log(
    `[gateway-api] kubectl apply of an HTTPRoute -> served by all 3 gateway pods: ${Date.now() - applied} ms (${servedMs} ms of it polling)`,
  );

  const { echoed } = await get(`${baseUrl}/shop/items?page=2`);
  expect(echoed?.path).toBe('/shop/items?page=2');
  expect(echoed?.headers['X-Gateway-Route'] ?? echoed?.headers['x-gateway-route']).toEqual([
    'shop',
  ]);
  // The seed's routes are not the gateway's in this mode: only what the HTTPRoutes say is served.
  expect((await get(`${baseUrl}/projects/`)).status).toBe(404);

  kubectl(['delete', 'httproute', 'shop', '-n', release.namespace]);
  await everyPodAnswers('/shop/items', 404);
});

/** The standard health check of gRPC, which the chart's rpc-app-1 serves. */
const HEALTH_CHECK = '/grpc.health.v1.Health/Check';

/** A GRPCRoute of the Gateway: the gRPC health service to the chart's own rpc-app-1 Service. */
function healthRoute(): object {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name: 'health', namespace: release.namespace },
    spec: {
      parentRefs: [{ name: 'gw' }],
      rules: [
        {
          matches: [{ method: { service: 'grpc.health.v1.Health' } }],
          backendRefs: [{ name: `${release.name}-gateway-stack-rpc-app-1`, port: 6000 }],
        },
      ],
    },
  };
}

/** One unary call to `path` on a gateway pod, over h2c as any gRPC client speaks to a plain port. */
function callPod(
  podUrl: string,
  path: string,
): Promise<{ code: grpcStatus; reply?: Buffer; details?: string }> {
  const bytes = (b: Buffer) => b;
  const grpc = new Client(new URL(podUrl).host, credentials.createInsecure());
  return new Promise((resolve) => {
    grpc.makeUnaryRequest(
      path,
      bytes,
      bytes,
      Buffer.alloc(0),
      new Metadata(),
      { deadline: Date.now() + 5000 },
      (error, reply) => {
        grpc.close();
        resolve({ code: error?.code ?? grpcStatus.OK, reply, details: error?.details });
      },
    );
  });
}

test('a GRPCRoute applied with kubectl is served over h2c by every gateway pod, and deleting it stops that', async () => {
  const urls = gatewayPodUrls();
  expect(urls).toHaveLength(3);
  // No route yet: the gateway itself answers, UNIMPLEMENTED.
  expect((await callPod(urls[0], HEALTH_CHECK)).code).toBe(grpcStatus.UNIMPLEMENTED);
  const everyPod = async (code: grpcStatus) =>
    eventually(
      async () =>
        (await Promise.all(urls.map((url) => callPod(url, HEALTH_CHECK)))).every(
          (answer) => answer.code === code,
        ),
      { timeoutMs: 60_000, intervalMs: 100, what: `every gateway pod answering ${code}` },
    );
  const applied = Date.now();
  apply(healthRoute());
  await everyPod(grpcStatus.OK);
  console.log(
    `[gateway-api] kubectl apply of a GRPCRoute -> served by all 3 gateway pods: ${Date.now() - applied} ms`,
  );
  // rpc-app-1's answer, passed through: HealthCheckResponse { status: SERVING } (field 1, value 1).
  for (const url of urls)
    expect((await callPod(url, HEALTH_CHECK)).reply).toEqual(Buffer.from([8, 1]));
  // The HTTP/1 side of the same port is unchanged: a gRPC route takes no HTTP/1 request.
  expect((await get(`${urls[0]}${HEALTH_CHECK}`)).status).toBe(404);

  kubectl(['delete', 'grpcroute', 'health', '-n', release.namespace]);
  await everyPod(grpcStatus.UNIMPLEMENTED);
});

test('adding and deleting other HTTPRoutes under load loses no request on the route that stays', async () => {
  apply(echoRoute('steady', '/steady'));
  await everyPodAnswers('/steady/x', 200);
  let stopped = false;
  const running = load({
    url: `${baseUrl}/steady/load`,
    body: {},
    concurrency: 4,
    durationMs: 300_000,
    stop: () => stopped,
    dispatcher: client,
  });
  try {
    for (let change = 0; change < CHANGES; change++) {
      apply(echoRoute(`extra-${change}`, `/extra-${change}`));
      await everyPodAnswers(`/extra-${change}/x`, 200);
      if (change % 2 === 1) {
        kubectl(['delete', 'httproute', `extra-${change}`, '-n', release.namespace]);
        await everyPodAnswers(`/extra-${change}/x`, 404);
      }
    }
  } finally {
    stopped = true;
  }
  const outcomes: Outcome[] = await running;
  const failed = outcomes.filter((outcome) => outcome.status !== 200);
  console.log(
    `[gateway-api] ${CHANGES} HTTPRoutes added (half deleted again) under load: /steady/ ${failed.length} of ${outcomes.length} failed`,
  );
  expect(outcomes.length).toBeGreaterThan(0);
  expect(failed.map((outcome) => `${outcome.status} ${outcome.text.slice(0, 120)}`)).toEqual([]);
});

interface StatusCondition {
  type: string;
  status: string;
  reason: string;
  lastTransitionTime: string;
}
interface WithConditions {
  conditions?: StatusCondition[];
}

/** `type=status/reason` of each condition, for messages that say what was found. */
const brief = (conditions: StatusCondition[] = []) =>
  Object.fromEntries(conditions.map((c) => [c.type, `${c.status}/${c.reason}`]));

function routeParents(name: string): (WithConditions & { controllerName: string })[] {
  return (
    kubectlJson<{ status?: { parents?: (WithConditions & { controllerName: string })[] } }>([
      'get',
      'httproute',
      name,
      '-n',
      release.namespace,
    ]).status?.parents ?? []
  );
}

/** The pod whose election holds the status Lease now (the identity is `<pod>_<random>`). */
/** The Service the gateway made for a Gateway of the release's namespace (chart gatewayServices). */
function gatewayService(
  gateway: string,
): { name: string; clusterIP: string; ports: { port: number; targetPort: number }[] } | undefined {
  const [service] = kubectlJson<{
    items: {
      metadata: { name: string };
      spec: { clusterIP: string; ports: { port: number; targetPort: number }[] };
    }[];
  }>([
    'get',
    'services',
    '-n',
    release.namespace,
    '-l',
    `gateway.networking.k8s.io/gateway-name=${gateway},app.kubernetes.io/managed-by`,
  ]).items;
  return service && { name: service.metadata.name, ...service.spec };
}

function statusLeaseHolder(): string {
  const leases = kubectlJson<{
    items: { metadata: { name: string }; spec: { holderIdentity?: string } }[];
  }>(['get', 'leases', '-n', release.namespace]).items.filter((lease) =>
    lease.metadata.name.endsWith('-gateway-api-status'),
  );
  expect(leases).toHaveLength(1);
  return (leases[0].spec.holderIdentity ?? '').replace(/_[^_]*$/, '');
}

test('the status says what is served, written by the pod holding the Lease, and by another once it is gone', async () => {
  const classConditions = () =>
    brief(
      kubectlJson<{ status?: WithConditions }>(['get', 'gatewayclass', GATEWAY_CLASS]).status
        ?.conditions,
    );
  await eventually(() => expect(classConditions()).toMatchObject({ Accepted: 'True/Accepted' }), {
    timeoutMs: 60_000,
    what: 'the GatewayClass accepted',
  });

  apply(
    echoRoute('status-ok', '/status-ok'),
    echoRoute('status-missing', '/status-missing', 'no-such-service'),
  );
  await eventually(
    () => {
      const gw = kubectlJson<{
        status?: WithConditions & {
          addresses?: { type: string; value: string }[];
          listeners?: (WithConditions & { name: string; attachedRoutes: number })[];
        };
      }>(['get', 'gateway', 'gw', '-n', release.namespace]).status;
      expect(brief(gw?.conditions)).toEqual({
        Accepted: 'True/Accepted',
        Programmed: 'True/Programmed',
      });
      // Its own Service's (the next test follows those Services).
      expect(gw?.addresses).toEqual([
        { type: 'IPAddress', value: gatewayService('gw')?.clusterIP },
      ]);
      // Every HTTPRoute of the namespace names the Gateway (those of the tests before too).
      const routes = kubectlJson<{ items: unknown[] }>([
        'get',
        'httproutes',
        '-n',
        release.namespace,
      ]).items.length;
      expect(gw?.listeners?.map((l) => [l.name, l.attachedRoutes])).toEqual([['http', routes]]);
      expect(routeParents('status-ok').map((p) => [p.controllerName, brief(p.conditions)])).toEqual(
        [
          [
            'gateway-stack.local/gateway-controller',
            { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' },
          ],
        ],
      );
      expect(brief(routeParents('status-missing')[0]?.conditions)).toEqual({
        Accepted: 'True/Accepted',
        ResolvedRefs: 'False/BackendNotFound',
      });
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'the Gateway and route status written' },
  );

  const gatewayPods = readyPods(release, 'gateway').map((pod) => pod.metadata.name);
  const leader = statusLeaseHolder();
  expect(gatewayPods).toContain(leader);
  // The leader goes (SIGTERM: it hands the Lease back); another pod writes the next status.
  kubectl(['delete', 'pod', leader, '-n', release.namespace, '--wait=false']);
  apply(echoRoute('after-leader', '/after-leader'));
  const next = await eventually(
    () => {
      const holder = statusLeaseHolder();
      expect(holder).not.toBe(leader);
      expect(holder).not.toBe('');
      expect(brief(routeParents('after-leader')[0]?.conditions)).toMatchObject({
        Accepted: 'True/Accepted',
      });
      return holder;
    },
    {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'another pod holding the Lease and writing status',
    },
  );
  // Any gateway pod but the one that left: a survivor, or its replacement if that one was quicker.
  expect(
    pods(release, 'gateway')
      .map((pod) => pod.metadata.name)
      .filter((pod) => pod !== leader),
  ).toContain(next);
  for (const name of ['status-ok', 'status-missing', 'after-leader'])
    kubectl(['delete', 'httproute', name, '-n', release.namespace]);
  await rolloutStatus(release, 'gateway');
  // The leader's pod gone for good: the next tests expect three gateway pods, all of them serving.
  await eventually(
    () => {
      const now = pods(release, 'gateway');
      return (
        now.length === 3 &&
        now.every((pod) => !pod.metadata.deletionTimestamp) &&
        readyPods(release, 'gateway').length === 3
      );
    },
    { timeoutMs: 120_000, intervalMs: 1000, what: 'three Ready gateway pods, none terminating' },
  );
});

test("each Gateway is served on its own Service's address, its routes only, and its Service goes with it", async () => {
  const second = { ...gatewayObject, metadata: { ...gatewayObject.metadata, name: 'gw-2' } };
  apply(
    second,
    echoRoute('only-one', '/only-one'),
    echoRoute('only-two', '/only-two', undefined, 'gw-2'),
  );
  const addressOf = (gateway: string) =>
    kubectlJson<{ status?: { addresses?: { value: string }[] } }>([
      'get',
      'gateway',
      gateway,
      '-n',
      release.namespace,
    ]).status?.addresses?.[0]?.value;
  const [one, two] = await eventually(
    () => {
      const services = [gatewayService('gw'), gatewayService('gw-2')];
      for (const [index, service] of services.entries()) {
        expect(service?.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(service?.ports.map((p) => p.port)).toEqual([80]);
        expect(addressOf(['gw', 'gw-2'][index])).toBe(service?.clusterIP);
      }
      return services.map((service) => `http://${service?.clusterIP}:80`);
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'a Service per Gateway, its status address' },
  );
  // Both Gateways listen on port 80 with no host name: only the address tells them apart.
  await eventually(
    async () => {
      expect((await get(`${one}/only-one/a`)).status).toBe(200);
      expect((await get(`${two}/only-two/a`)).status).toBe(200);
    },
    { timeoutMs: 60_000, intervalMs: 250, what: "each Gateway's route on its address" },
  );
  for (let round = 0; round < 6; round++) {
    expect((await get(`${one}/only-two/a`)).status).toBe(404);
    expect((await get(`${two}/only-one/a`)).status).toBe(404);
    const { echoed } = await get(`${two}/only-two/a`);
    expect(echoed?.headers['X-Gateway-Route'] ?? echoed?.headers['x-gateway-route']).toEqual([
      'only-two',
    ]);
  }

  const gone = gatewayService('gw-2')?.name;
  kubectl(['delete', 'gateway', 'gw-2', '-n', release.namespace]);
  await eventually(
    () =>
      expect(kubectl(['get', 'services', '-n', release.namespace, '-o', 'name'])).not.toContain(
        `service/${gone}`,
      ),
    { timeoutMs: 60_000, intervalMs: 500, what: "the deleted Gateway's Service deleted" },
  );
  for (const name of ['only-one', 'only-two'])
    kubectl(['delete', 'httproute', name, '-n', release.namespace]);
});

test('1000 HTTPRoutes are served by every gateway pod (memory per pod printed at 10, 100 and 1000)', async () => {
  const residentMb = () =>
    readyPods(release, 'gateway').map((pod) =>
      Math.round(
        sample(podMetrics(release, pod.metadata.name), 'process_resident_memory_bytes') / 2 ** 20,
      ),
    );
  const restarts = () =>
    pods(release, 'gateway').reduce(
      (sum, pod) =>
        sum + (pod.status?.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0),
      0,
    );
  const restartsBefore = restarts();
  const lines = [`before: ${residentMb().join(', ')} MiB`];
  let applied = 0;
  // Each table is built whole, in time linear in its routes (docs/adr/0011-gateway-api.md, "Next
  // steps"): 1000 routes must not block the probes or lose the status Lease.
  for (const count of [10, 100, 1000]) {
    const routes = [];
    for (let index = applied; index < count; index++) {
      const route = echoRoute(`bulk-${index}`, `/bulk-${index}`) as {
        metadata: { labels?: object };
      };
      route.metadata.labels = { 'gateway-stack.io/test': 'bulk' };
      routes.push(route);
    }
    kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: routes }),
      timeoutMs: 300_000,
    });
    applied = count;
    const started = Date.now();
    await everyPodAnswers(`/bulk-${count - 1}/x`, 200, 300_000);
    await everyPodAnswers('/bulk-0/x', 200);
    lines.push(
      `${count} HTTPRoutes: served by all pods ${Date.now() - started} ms after the apply returned; resident ${residentMb().join(', ')} MiB`,
    );
  }
  console.log(`[gateway-api] memory per gateway pod:\n  ${lines.join('\n  ')}`);
  // Neither killed by its liveness probe nor out of memory on the way, and every pod still Ready.
  expect(restarts()).toBe(restartsBefore);
  expect(readyPods(release, 'gateway')).toHaveLength(3);
  kubectl(['delete', 'httproute', '-n', release.namespace, '-l', 'gateway-stack.io/test=bulk'], {
    timeoutMs: 300_000,
  });
  await everyPodAnswers('/bulk-0/x', 404, 300_000);
}, 900_000);
