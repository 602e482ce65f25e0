// The Grafana dashboard against what an operator's Prometheus sees on the cluster: the pods scraped
// as the chart's annotations say, under load, and every query of every panel returns data (the
// checks of test/e2e/dashboard.e2e-spec.ts, on real pods with their namespace and pod labels).
import { dashboardPanels, dashboardQueries, resolveVariables } from '../support/dashboard.ts';
import { eventually } from '../support/eventually.ts';
import { gatewayUrl } from './support/access.ts';
import { type ClusterPrometheus, startPrometheus } from './support/metrics-apis.ts';
import { pods } from './support/pods.ts';
import { SMALL_REQUESTS, install, uninstall, type Release } from './support/release.ts';
import { SEED_REQUESTS } from './support/seed.ts';
import { type Traffic, steadyTraffic } from './support/traffic.ts';

const RELEASE: Release = { name: 'gateway-stack', namespace: 'gs-dashboard' };

describe('the Grafana dashboard on a Prometheus scraping the cluster', () => {
  let prometheus: ClusterPrometheus | undefined;
  let traffic: Traffic | undefined;

  beforeAll(async () => {
    uninstall(RELEASE);
    install(RELEASE, [
      SMALL_REQUESTS,
      {
        componentDefaults: { replicas: 2 },
        components: { gateway: { service: { type: 'NodePort' } } },
        redis: { mode: 'none' },
      },
    ]);
    prometheus = await startPrometheus([RELEASE.namespace]);
    traffic = steadyTraffic(
      gatewayUrl(RELEASE),
      [...Object.values(SEED_REQUESTS), { path: '/no/such/path', body: {} }],
      10,
      600_000,
    );
  }, 600_000);
  afterAll(async () => {
    await traffic?.stop();
    await prometheus?.stop();
    uninstall(RELEASE);
  });

  const podNames = (): string[] =>
    pods(RELEASE)
      .map((p) => p.metadata.name)
      .sort();

  test('Prometheus scrapes every pod of the release, labelled with its namespace and pod', async () => {
    const expected = podNames();
    expect(expected).toHaveLength(6);
    await eventually(
      async () => {
        const targets = await prometheus!.server.targets();
        return targets.length === expected.length && targets.every((t) => t.health === 'up');
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: 'every pod scraped and up' },
    );
    const targets = await prometheus!.server.targets();
    expect(targets.map((t) => t.labels.pod).sort()).toEqual(expected);
    for (const t of targets) expect(t.labels.namespace).toBe(RELEASE.namespace);
  });

  test('every dashboard query is valid PromQL and returns data under load', async () => {
    const queries = dashboardQueries();
    expect(dashboardPanels().length).toBeGreaterThanOrEqual(10);
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const empty: string[] = [];
    for (const { panel, expr } of queries) {
      const promql = resolveVariables(expr);
      const hasData = await eventually(
        async () => (await prometheus!.server.query(promql)).length > 0,
        { timeoutMs: 90_000, intervalMs: 2000 },
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
    await eventually(async () => (await prometheus!.server.query(cpu)).length === expected.length, {
      timeoutMs: 60_000,
      intervalMs: 1000,
      what: 'one CPU series per pod',
    });
    expect((await prometheus!.server.query(cpu)).map((s) => s.metric.pod).sort()).toEqual(expected);
  });
});
