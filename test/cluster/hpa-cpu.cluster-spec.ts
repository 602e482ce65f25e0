// The chart's CPU autoscaling (autoscaling.enabled) on a real metrics-server: the gateway scales up
// under sustained load and back down when it stops.
import { eventually } from '../support/eventually.ts';
import { gatewayUrl } from './support/access.ts';
import { kubectl } from './support/cluster.ts';
import { MAX_REPLICAS, autoscalingValues, scaleUpAndDown } from './support/hpa.ts';
import { type AggregatedApi, startMetricsServer } from './support/metrics-apis.ts';
import {
  SMALL_REQUESTS,
  componentName,
  install,
  uninstall,
  type Release,
} from './support/release.ts';

const RELEASE: Release = { name: 'gateway-stack', namespace: 'gs-hpa-cpu' };
const NS = RELEASE.namespace;
const GATEWAY = componentName(RELEASE, 'gateway');
/** Percent of the gateway's 20m CPU request: idle it uses a few millicores, under the traffic many times that. */
const TARGET_CPU = 100;
const TRAFFIC_PER_SECOND = 30;

describe('HPA on CPU (metrics-server)', () => {
  let metricsServer: AggregatedApi | undefined;

  beforeAll(async () => {
    uninstall(RELEASE);
    install(RELEASE, [
      SMALL_REQUESTS,
      {
        componentDefaults: { replicas: 1, autoscaling: { enabled: false } },
        components: {
          gateway: {
            service: { type: 'NodePort' },
            resources: { requests: { cpu: '20m' } },
            autoscaling: autoscalingValues({ targetCPUUtilizationPercentage: TARGET_CPU }),
          },
        },
        redis: { mode: 'none' },
      },
    ]);
    metricsServer = await startMetricsServer();
  }, 600_000);
  afterAll(async () => {
    await metricsServer?.stop();
    uninstall(RELEASE);
  });

  test("the resource metrics API reports the gateway pods' CPU", async () => {
    await eventually(
      () => {
        const list = JSON.parse(
          kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`]),
        );
        return list.items.some((p: { metadata: { name: string } }) =>
          p.metadata.name.startsWith(GATEWAY),
        );
      },
      { timeoutMs: 120_000, intervalMs: 2000, what: 'pod metrics of the gateway' },
    );
  });

  test('sustained load scales the gateway up on CPU; it scales back down when the load stops', async () => {
    const { up, down } = await scaleUpAndDown(
      NS,
      [GATEWAY],
      gatewayUrl(RELEASE),
      TRAFFIC_PER_SECOND,
      'the gateway',
    );
    console.log(
      `[hpa cpu] ${TRAFFIC_PER_SECOND} req/s, target ${TARGET_CPU}% of 20m: 1 -> ${MAX_REPLICAS} in ${up.seconds.toFixed(0)} s ` +
        `(${JSON.stringify(up.scale.metrics)}), back to 1 in ${down.seconds.toFixed(0)} s`,
    );
  });
});
