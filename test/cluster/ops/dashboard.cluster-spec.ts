// The Grafana dashboard against what an operator's Prometheus sees on the cluster: the pods scraped
// as the chart's annotations say, under load, and every query of every panel returns data (the
// checks of test/e2e/dashboard.e2e-spec.ts, on real pods with their namespace and pod labels).
import { dashboardPanels, dashboardQueries, resolveVariables } from '../../support/dashboard.ts';
import {
  componentName,
  createNamespace,
  deleteNamespace,
  installChart,
  kubectlJson,
  nodePortUrl,
  requireCluster,
  until,
} from './support/cluster.ts';
import { type ClusterPrometheus, startPrometheus } from './support/metrics-apis.ts';
import { SEED_REQUESTS, type Traffic, steadyTraffic } from './support/traffic.ts';

const NS = 'ops-dashboard';
const RELEASE = { name: 'gateway-stack', namespace: NS };

describe('the Grafana dashboard on a Prometheus scraping the cluster', () => {
  let prometheus: ClusterPrometheus | undefined;
  let traffic: Traffic | undefined;

  beforeAll(async () => {
    requireCluster();
    createNamespace(NS);
    installChart(RELEASE, {
      componentDefaults: { replicas: 2 },
      components: { gateway: { service: { type: 'NodePort' } } },
      redis: { mode: 'none' },
    });
    prometheus = await startPrometheus([NS]);
    traffic = steadyTraffic(
      nodePortUrl(NS, componentName(RELEASE, 'gateway')),
      [...SEED_REQUESTS, { path: '/no/such/path', body: {} }],
      10,
      600_000,
    );
  }, 600_000);
  afterAll(async () => {
    await traffic?.stop();
    await prometheus?.stop();
    deleteNamespace(NS);
  });

  const podNames = (): string[] =>
    kubectlJson(['get', 'pods', '-n', NS])
      .items.map((p: { metadata: { name: string } }) => p.metadata.name)
      .sort();

  test('Prometheus scrapes every pod of the release, labelled with its namespace and pod', async () => {
    const expected = podNames();
    expect(expected).toHaveLength(6);
    await until(
      'every pod scraped and up',
      async () => {
        const targets = await prometheus!.server.targets();
        return targets.length === expected.length && targets.every((t) => t.health === 'up');
      },
      120_000,
    );
    const targets = await prometheus!.server.targets();
    expect(targets.map((t) => t.labels.pod).sort()).toEqual(expected);
    for (const t of targets) expect(t.labels.namespace).toBe(NS);
  });

  test('every dashboard query is valid PromQL and returns data under load', async () => {
    const queries = dashboardQueries();
    expect(dashboardPanels().length).toBeGreaterThanOrEqual(10);
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const empty: string[] = [];
    for (const { panel, expr } of queries) {
      const promql = resolveVariables(expr);
      const hasData = await until(
        `data for ${panel}`,
        async () => (await prometheus!.server.query(promql)).length > 0,
        90_000,
        2000,
      ).then(
        () => true,
        () => false,
      );
      if (!hasData) empty.push(`${panel}: ${promql}`);
    }
    expect(empty).toEqual([]);
  });

  test('runtime panels show one series per pod', async () => {
    const cpu = resolveVariables(dashboardQueries().find((q) => q.panel === 'CPU')!.expr);
    const expected = podNames();
    await until(
      'one CPU series per pod',
      async () => (await prometheus!.server.query(cpu)).length === expected.length,
      60_000,
    );
    expect((await prometheus!.server.query(cpu)).map((s) => s.metric.pod).sort()).toEqual(expected);
  });
});
