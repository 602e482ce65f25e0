// The chart's KEDA option (keda.enabled) for real: KEDA's operator turns each component's
// ScaledObject into an HPA on the Prometheus request rate of the chart's query, its adapter serves
// that rate, and sustained load scales every app up; when the load stops they scale back down.
// KEDA is built only on request (CLUSTER_KEDA=1): without it this file fails, naming how to build it.
import { eventually } from '../support/eventually.ts';
import { gatewayUrl } from './support/access.ts';
import { kubectl, kubectlJson } from './support/cluster.ts';
import { MAX_REPLICAS, autoscalingValues, scaleUpAndDown } from './support/hpa.ts';
import { type Keda, applyKedaCrds, kedaBuilt, startKeda } from './support/keda.ts';
import { type ClusterPrometheus, startPrometheus } from './support/metrics-apis.ts';
import {
  APPS,
  SMALL_REQUESTS,
  componentName,
  freshNamespace,
  install,
  uninstall,
  type Release,
} from './support/release.ts';

const RELEASE: Release = { name: 'gateway-stack', namespace: 'gs-keda' };
const NS = RELEASE.namespace;
const DEPLOYMENTS = APPS.map((app) => componentName(RELEASE, app));
const THRESHOLD_PER_POD = 2;
const TRAFFIC_PER_SECOND = 24;

describe('KEDA ScaledObjects on the request rate (KEDA operator + metrics adapter, Prometheus)', () => {
  let prometheus: ClusterPrometheus | undefined;
  let keda: Keda | undefined;

  beforeAll(async () => {
    if (!kedaBuilt()) throw new Error('KEDA is not built: CLUSTER_KEDA=1 npm run cluster -- up');
    applyKedaCrds();
    freshNamespace(NS);
    prometheus = await startPrometheus([NS]);
    keda = await startKeda(NS);
    install(RELEASE, [
      SMALL_REQUESTS,
      {
        componentDefaults: {
          keda: {
            enabled: true,
            minReplicas: 1,
            maxReplicas: MAX_REPLICAS,
            // KEDA runs on the node here: it reaches this Prometheus on loopback.
            serverAddress: prometheus.server.url,
            threshold: String(THRESHOLD_PER_POD),
            pollingInterval: 5,
            cooldownPeriod: 30,
            // The same short windows as the HPA tests (without it: Kubernetes' 300 s scale-down window).
            behavior: autoscalingValues({}).behavior,
          },
        },
        components: { gateway: { service: { type: 'NodePort' } } },
        redis: { mode: 'none' },
      },
    ]);
  }, 600_000);
  afterAll(async () => {
    // The ScaledObjects first, while the operator can still remove its HPAs.
    kubectl([
      'delete',
      'scaledobjects.keda.sh',
      '--all',
      '-n',
      NS,
      '--ignore-not-found',
      '--wait=true',
      '--timeout=60s',
    ]);
    await keda?.stop();
    await prometheus?.stop();
    uninstall(RELEASE);
  });

  test('every ScaledObject is Ready and owns an HPA on an external metric', async () => {
    await eventually(
      () => {
        const ready = kubectlJson(['get', 'scaledobjects.keda.sh', '-n', NS]).items.filter(
          (so: { status?: { conditions?: Array<{ type: string; status: string }> } }) =>
            so.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length === APPS.length;
      },
      { timeoutMs: 180_000, intervalMs: 2000, what: '3 ScaledObjects Ready' },
    );
    const hpas = kubectlJson(['get', 'hpa', '-n', NS]).items;
    expect(
      hpas
        .map((h: { spec: { scaleTargetRef: { name: string } } }) => h.spec.scaleTargetRef.name)
        .sort(),
    ).toEqual([...DEPLOYMENTS].sort());
    for (const h of hpas) expect(h.spec.metrics[0].type).toBe('External');
  });

  test('sustained load scales every app up; they scale back down when it stops', async () => {
    const { up, down } = await scaleUpAndDown(
      NS,
      DEPLOYMENTS,
      gatewayUrl(RELEASE),
      TRAFFIC_PER_SECOND,
      'every app',
    );
    console.log(
      `[keda] ${TRAFFIC_PER_SECOND} req/s, threshold ${THRESHOLD_PER_POD}/replica: 1 -> ${MAX_REPLICAS} in ${up.seconds.toFixed(0)} s ` +
        `(${JSON.stringify(up.scale.metrics)}), back to 1 in ${down.seconds.toFixed(0)} s`,
    );
  });
});
