// Autoscaling on incoming requests, end to end and without mocks: Prometheus scrapes the pods as the
// chart's annotations say, prometheus-adapter serves the chart README's rules as the custom metrics
// API, and with autoscaling.requestRate.enabled the HPAs scale every app up under sustained load and
// back down when it stops.
import { eventually } from '../support/eventually.ts';
import { gatewayUrl } from './support/access.ts';
import { kubectl } from './support/cluster.ts';
import { MAX_REPLICAS, autoscalingValues, scale, scaleUpAndDown } from './support/hpa.ts';
import {
  type AggregatedApi,
  type ClusterPrometheus,
  readmeAdapterRules,
  startPrometheus,
  startPrometheusAdapter,
} from './support/metrics-apis.ts';
import {
  APPS,
  SMALL_REQUESTS,
  componentName,
  install,
  uninstall,
  type Release,
} from './support/release.ts';
import { SEED_REQUESTS } from './support/seed.ts';
import { count, steadyTraffic } from './support/traffic.ts';

const RELEASE: Release = { name: 'gateway-stack', namespace: 'gs-hpa-requests' };
const NS = RELEASE.namespace;
const DEPLOYMENTS = APPS.map((app) => componentName(RELEASE, app));
/** Requests per second per pod the HPAs aim at; the traffic is several times one pod's share. */
const TARGET_PER_POD = 2;
const TRAFFIC_PER_SECOND = 24;

describe('HPA on the request rate (Prometheus + prometheus-adapter)', () => {
  let prometheus: ClusterPrometheus | undefined;
  let adapter: AggregatedApi | undefined;

  beforeAll(async () => {
    uninstall(RELEASE);
    install(RELEASE, [
      SMALL_REQUESTS,
      {
        componentDefaults: {
          autoscaling: autoscalingValues({
            targetCPUUtilizationPercentage: null,
            requestRate: { enabled: true, targetAverageValue: String(TARGET_PER_POD) },
          }),
        },
        components: { gateway: { service: { type: 'NodePort' } } },
        redis: { mode: 'none' },
      },
    ]);
    prometheus = await startPrometheus([NS]);
    adapter = await startPrometheusAdapter(prometheus.server.url, readmeAdapterRules());
  }, 600_000);
  afterAll(async () => {
    await adapter?.stop();
    await prometheus?.stop();
    uninstall(RELEASE);
  });

  test("the custom metrics API serves the chart's metric for every app's pods", async () => {
    const warmup = steadyTraffic(gatewayUrl(RELEASE), Object.values(SEED_REQUESTS), 4, 120_000);
    try {
      for (const metric of ['http_server_requests_per_second', 'grpc_server_handled_per_second'])
        await eventually(
          () => {
            const list = JSON.parse(
              kubectl([
                'get',
                '--raw',
                `/apis/custom.metrics.k8s.io/v1beta1/namespaces/${NS}/pods/*/${metric}`,
              ]),
            );
            return list.items.length > 0;
          },
          { timeoutMs: 120_000, intervalMs: 2000, what: `custom metric ${metric}` },
        );
    } finally {
      await warmup.stop();
    }
  });

  test('sustained load scales gateway, webapp-1 and rpc-app-1 up; they scale back down when it stops', async () => {
    const { up, down, traffic } = await scaleUpAndDown(
      NS,
      DEPLOYMENTS,
      gatewayUrl(RELEASE),
      TRAFFIC_PER_SECOND,
      'every app',
    );
    console.log(
      `[hpa requests] ${TRAFFIC_PER_SECOND} req/s, target ${TARGET_PER_POD}/pod: 1 -> ${MAX_REPLICAS} in ${up.seconds.toFixed(0)} s ` +
        `(${JSON.stringify(up.scale.metrics)}), back to 1 in ${down.seconds.toFixed(0)} s; ${count(traffic, () => true)} requests`,
    );
    expect(scale(NS).metrics[componentName(RELEASE, 'gateway')]).toEqual([
      expect.stringMatching(/^http_server_requests_per_second=/),
    ]);
  });
});
