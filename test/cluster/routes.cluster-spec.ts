// Routes added to a running stack with `helm upgrade` and nothing else (docs/adr/0009-route-table-
// data-plane.md; chart README, "Routes"): a service nobody here wrote - the Gateway API conformance
// suite's echo server, over HTTP and over gRPC - becomes reachable through the gateway's NodePort
// while the seed's routes are under load. The chart re-renders the gateway's route file (and the
// .proto the gRPC routes come from) into ConfigMaps, the kubelet swaps the mounted files, and every
// gateway reloads them: no pod restarts, no request lost. A bad edit after that is refused by every
// gateway, which keeps serving the last good table.
import { readFileSync } from 'node:fs';
import { eventually } from '../support/eventually.ts';
import { installServing } from './support/access.ts';
import { client } from './support/client.ts';
import { kubectlJson } from './support/cluster.ts';
import { deployEcho, ECHO_PORT, GRPCECHO_PROTO, type EchoServer } from './support/echo.ts';
import { ADMIN_PORT, pods, type Pod } from './support/pods.ts';
import {
  deploymentName,
  LOAD_TEST_VALUES,
  uninstall,
  upgrade,
  type Release,
} from './support/release.ts';
import { expectSeedAnswers, seedRequests } from './support/seed.ts';
import { describeFailures, startLoad, type LoadReport } from './support/traffic.ts';

const release: Release = { name: 'routes', namespace: 'gs-routes' };
const GRPC_SERVICE = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';
/** How long a ConfigMap change may take to reach the pods: the kubelet's sync period (60 s) and cache TTL, with margin. */
const CONFIGMAP_PROPAGATION_MS = 180_000;

let baseUrl = '';
let httpEcho: EchoServer;
let grpcEcho: EchoServer;

/** The values of the upgrade: two upstreams and their routes, added to LOAD_TEST_VALUES. */
function routeValues(extraRoutes: object[] = []) {
  return {
    ...LOAD_TEST_VALUES,
    gateway: {
      upstreams: {
        // By Service DNS name: the gateway resolves it through CoreDNS, as its own upstreams.
        'echo-http': {
          kind: 'http',
          urls: [`http://${httpEcho.service}`],
          rewrite: { prefix: '/echo-http', replacement: '/' },
          headers: { add: { 'x-gateway-route': 'echo-http' } },
        },
        'echo-grpc': {
          kind: 'grpc',
          target: `dns:///${grpcEcho.service}`,
          protos: ['/etc/gateway-stack/protos/grpcecho.proto'],
          httpRulesFromProtos: true,
        },
      },
      routes: [
        {
          name: 'echo-http',
          match: { methods: ['GET', 'POST'], path: { prefix: '/echo-http' } },
          upstream: 'echo-http',
        },
        // A route of the file to a method, beside the ones its google.api.http rules give.
        {
          name: 'echo-two-explicit',
          match: { methods: ['POST'], path: { exact: '/grpc/echo-two' } },
          upstream: 'echo-grpc',
          grpc: { service: GRPC_SERVICE, method: 'EchoTwo' },
        },
        ...extraRoutes,
      ],
      protos: { 'grpcecho.proto': readFileSync(GRPCECHO_PROTO, 'utf8') },
    },
  };
}

interface GatewayState {
  pod: string;
  version: string | undefined;
  applied: number;
  refused: number;
}

/** A gateway's route table version and reload counts, from its admin /metrics on the pod's IP. */
async function gatewayState(pod: Pod): Promise<GatewayState> {
  const response = await fetch(`http://${pod.status.podIP}:${ADMIN_PORT}/metrics`, {
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  const reloads = (outcome: string) =>
    Number(
      new RegExp(
        `^gateway_route_table_reloads_total\\{outcome="${outcome}"[^}]*\\} (\\d+)$`,
        'm',
      ).exec(text)?.[1] ?? NaN,
    );
  return {
    pod: pod.metadata.name,
    version: /^gateway_route_table_info\{version="([^"]+)"[^}]*\} 1$/m.exec(text)?.[1],
    applied: reloads('applied'),
    refused: reloads('refused'),
  };
}

async function gatewayStates(): Promise<GatewayState[]> {
  return Promise.all(pods(release, 'gateway').map(gatewayState));
}

/** What says a gateway pod was not restarted or replaced: its name, restarts and template. */
function gatewayPods() {
  const deployment = kubectlJson<{ metadata: { generation: number } }>([
    'get',
    'deployment',
    '-n',
    release.namespace,
    deploymentName(release, 'gateway'),
  ]);
  return {
    generation: deployment.metadata.generation,
    pods: pods(release, 'gateway')
      .map(
        (p) =>
          `${p.metadata.name} template=${p.metadata.labels['pod-template-hash']} restarts=${p.status.containerStatuses?.[0].restartCount}`,
      )
      .sort(),
  };
}

async function request(method: string, path: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      'x-proof': 'routes-spec',
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
    dispatcher: client,
  } as RequestInit);
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: the assertion shows the text.
  }
  return { status: response.status, body: json };
}

/** The echo routes' answers, as the upgrade must make them. */
async function expectEchoRoutes(): Promise<void> {
  const http = await request('POST', '/echo-http/some/path?q=1', { hello: 'echo' });
  expect(http).toMatchObject({
    status: 200,
    body: {
      // /echo-http/some/path rewritten to /some/path, the query string kept.
      path: '/some/path?q=1',
      method: 'POST',
      namespace: release.namespace,
      service: httpEcho.name,
      pod: expect.stringMatching(new RegExp(`^${httpEcho.name}-`)),
      headers: expect.objectContaining({
        'X-Proof': ['routes-spec'],
        'X-Gateway-Route': ['echo-http'],
        'X-Forwarded-Proto': ['http'],
        'X-Forwarded-For': [expect.any(String)],
      }),
    },
  });
  const grpcAnswer = (method: string) => ({
    status: 200,
    body: {
      assertions: {
        fullyQualifiedMethod: `/${GRPC_SERVICE}/${method}`,
        context: {
          namespace: release.namespace,
          serviceName: grpcEcho.name,
          pod: expect.stringMatching(new RegExp(`^${grpcEcho.name}-`)),
        },
      },
    },
  });
  // By the proto's google.api.http rules: Echo's, and both bindings of EchoTwo's.
  expect(await request('POST', '/echo', {})).toMatchObject(grpcAnswer('Echo'));
  expect(await request('GET', '/echo-two/anything')).toMatchObject(grpcAnswer('EchoTwo'));
  expect(await request('POST', '/echo-two', {})).toMatchObject(grpcAnswer('EchoTwo'));
  // By the route of the file.
  expect(await request('POST', '/grpc/echo-two', {})).toMatchObject(grpcAnswer('EchoTwo'));
}

function expectNoFailures(what: string, report: LoadReport): void {
  console.log(
    `${what}: ${report.total} seed requests (${JSON.stringify(report.byRoute)}), ${report.failed.length} failed`,
  );
  expect(report.total).toBeGreaterThan(100);
  expect({ what, failed: describeFailures(report) }).toEqual({ what, failed: [] });
}

beforeAll(async () => {
  baseUrl = await installServing(release, LOAD_TEST_VALUES);
  // In the release's namespace, not part of the release: the gateway reaches them through the
  // port-only egress rule the chart opens for upstreams outside the release.
  httpEcho = await deployEcho(release.namespace);
  grpcEcho = await deployEcho(release.namespace, { grpc: true });
}, 600_000);

afterAll(() => uninstall(release), 300_000);

let addedVersion = '';

test('helm upgrade adds an HTTP and a gRPC service under load: served by every gateway without a restart, 0 seed requests lost', async () => {
  expectSeedAnswers(await seedRequests(baseUrl));
  // Before: the paths are nobody's.
  expect((await request('POST', '/echo-http/some/path')).status).toBe(404);
  expect((await request('POST', '/echo', {})).status).toBe(404);
  expect(httpEcho.service).toMatch(new RegExp(`:${ECHO_PORT}$`));

  const podsBefore = gatewayPods();
  const before = await gatewayStates();
  const [firstVersion] = new Set(before.map((s) => s.version));
  expect(before.map((s) => s.version)).toEqual(before.map(() => firstVersion));

  const load = startLoad(baseUrl, 2);
  let report: LoadReport;
  try {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const upgradeS = await upgrade(release, routeValues());
    const returned = Date.now();
    const after = await eventually(
      async () => {
        const states = await gatewayStates();
        const versions = new Set(states.map((s) => s.version));
        if (versions.size !== 1 || versions.has(firstVersion) || versions.has(undefined))
          return false;
        return states;
      },
      {
        timeoutMs: CONFIGMAP_PROPAGATION_MS,
        intervalMs: 250,
        what: 'every gateway serving one new route table version',
      },
    );
    const servedAfterS = (Date.now() - returned) / 1000;
    addedVersion = after[0].version!;
    console.log(
      `helm upgrade took ${upgradeS.toFixed(1)} s; every gateway served the new table ${servedAfterS.toFixed(1)} s after it returned: ` +
        JSON.stringify(after),
    );
    for (const state of after) {
      const was = before.find((s) => s.pod === state.pod)!;
      expect({ pod: state.pod, applied: state.applied - was.applied >= 1 }).toEqual({
        pod: state.pod,
        applied: true,
      });
    }
    // Each gateway answers: the NodePort spreads the requests over them.
    for (let round = 0; round < 3; round++) await expectEchoRoutes();
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    report = await load.stop();
  }
  expectNoFailures('helm upgrade adding routes', report);
  expect(gatewayPods()).toEqual(podsBefore);
}, 600_000);

test('an upgrade with a route the gateway refuses: every gateway counts it refused and keeps serving the last good table', async () => {
  expect(addedVersion).not.toBe('');
  const podsBefore = gatewayPods();
  const before = await gatewayStates();
  const load = startLoad(baseUrl, 2);
  let report: LoadReport;
  try {
    // The chart cannot tell (it does not read protos); the gateway can: GrpcEcho has no EchoFour.
    await upgrade(
      release,
      routeValues([
        {
          name: 'echo-four',
          match: { methods: ['POST'], path: { exact: '/grpc/echo-four' } },
          upstream: 'echo-grpc',
          grpc: { service: GRPC_SERVICE, method: 'EchoFour' },
        },
      ]),
    );
    const returned = Date.now();
    const after = await eventually(
      async () => {
        const states = await gatewayStates();
        for (const state of states) {
          const was = before.find((s) => s.pod === state.pod)!;
          if (state.refused <= was.refused) return false;
        }
        return states;
      },
      {
        timeoutMs: CONFIGMAP_PROPAGATION_MS,
        intervalMs: 250,
        what: 'every gateway refusing the bad route file',
      },
    );
    console.log(
      `every gateway refused the bad route file ${((Date.now() - returned) / 1000).toFixed(1)} s after helm upgrade returned: ${JSON.stringify(after)}`,
    );
    for (const state of after) {
      const was = before.find((s) => s.pod === state.pod)!;
      expect({ pod: state.pod, version: state.version, applied: state.applied }).toEqual({
        pod: state.pod,
        version: addedVersion,
        applied: was.applied,
      });
    }
    for (let round = 0; round < 3; round++) await expectEchoRoutes();
    expect((await request('POST', '/grpc/echo-four', {})).status).toBe(404);
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    report = await load.stop();
  }
  expectNoFailures('helm upgrade with a refused route', report);
  expect(gatewayPods()).toEqual(podsBefore);
}, 600_000);
