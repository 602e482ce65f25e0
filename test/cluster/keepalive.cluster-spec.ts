// Persistent keep-alive connections through rollouts, as load balancers, meshes and SDK pools hold
// them: Python http.client connections (no retries, no check of an idle socket before reuse) idle
// up to 3 s between requests, through the gateway's NodePort, while each Deployment is restarted.
// With the chart's defaults a pod drains from its preStop hook on (`Connection: close` on every
// answer, GOAWAY to gRPC clients) and closes idle sockets only after preStop + drain delay, so every
// connection is ended by its own answer: 0 failed (docs/operations.md, "Graceful shutdown").
import { keepAliveClients, type KeepAliveSummary } from '../support/keepalive-client.ts';
import { installServing } from './support/access.ts';
import { kubectl } from './support/cluster.ts';
import {
  APPS,
  deploymentName,
  LOAD_TEST_VALUES,
  rolloutStatus,
  uninstall,
  type Release,
} from './support/release.ts';

const release: Release = { name: 'ka', namespace: 'gs-keepalive' };
/** After `rollout status` returns, the last old pod is still terminating (preStop 5 s + drain 1 s). */
const LAST_POD_TERMINATION_MS = 10_000;
let endpoint = '';

beforeAll(async () => {
  const url = await installServing(release, LOAD_TEST_VALUES);
  endpoint = new URL(url).host;
}, 400_000);

afterAll(() => uninstall(release), 300_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test.each(APPS)(
  'kubectl rollout restart of %s: keep-alive connections idle up to 3 s lose no request',
  async (app) => {
    const common = { endpoints: [endpoint], method: 'POST' as const, busy: 2, idle: 4 };
    const clients = {
      projects: keepAliveClients({
        ...common,
        path: '/projects/',
        body: { title: 'keep-alive' },
        maxIdleSeconds: 3,
      }),
      verify: keepAliveClients({
        ...common,
        path: '/verify/',
        body: { id: 9, token: 'keep-alive' },
        maxIdleSeconds: 3,
      }),
    };
    let reports: Record<'projects' | 'verify', KeepAliveSummary>;
    try {
      await sleep(4000);
      kubectl([
        'rollout',
        'restart',
        '-n',
        release.namespace,
        `deployment/${deploymentName(release, app)}`,
      ]);
      await rolloutStatus(release, app);
      await sleep(LAST_POD_TERMINATION_MS);
    } finally {
      reports = { projects: await clients.projects.stop(), verify: await clients.verify.stop() };
    }
    const { projects, verify } = reports;
    console.log(
      `rollout of ${app}, 12 keep-alive connections idle up to 3 s: /projects/ ${projects.failed} of ${projects.sent} failed, ` +
        `/verify/ ${verify.failed} of ${verify.sent} failed; ${projects.closed_by_answer + verify.closed_by_answer} connections closed by an answer`,
    );
    expect({ app, failures: [...projects.failures, ...verify.failures] }).toEqual({
      app,
      failures: [],
    });
    expect(projects.ok + verify.ok).toBeGreaterThan(200);
  },
  600_000,
);
