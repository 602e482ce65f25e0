import { setTimeout as sleep } from 'node:timers/promises';
import { randomLoopbackNet, type Stack } from '../../process-topology/index.ts';
import { eventually } from '../support/eventually.ts';
import { testStack } from '../support/stack.ts';
import {
  dashboardPanels,
  dashboardQueries,
  metricNames,
  resolveVariables,
} from '../support/dashboard.ts';
import { get, postJson } from '../support/http.ts';
import { OtlpReceiver, SPAN_KIND } from '../support/otlp-receiver.ts';
import { PrometheusServer } from '../support/prometheus.ts';
import { promtoolFindings } from '../support/promtool.ts';

/** Waiting for Prometheus: a few of its 2 s scrapes. */
const SCRAPES = { timeoutMs: 20_000, intervalMs: 250 };

// What an operator sees: a real Prometheus scrapes the three apps (tracing on) as a cluster would.
// Every query of the Grafana dashboard must be valid and return data after traffic, every metric it
// names must exist in the apps' /metrics, and the exemplars Prometheus stores must lead to traces.
describe('metrics, exemplars and the Grafana dashboard, scraped by Prometheus', () => {
  const net = randomLoopbackNet();
  const panels = dashboardPanels();
  const queries = dashboardQueries();
  let receiver: OtlpReceiver;
  let stack: Stack;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start(`${net}.250`);
    const env = receiver.env();
    stack = testStack({ net, env: { gateway: env, 'webapp-1': env, 'rpc-app-1': env } });
    await stack.start();
    prometheus = await PrometheusServer.start(
      `${net}.251`,
      stack.all.map((p) => ({
        address: new URL(p.adminUrl).host,
        // What Kubernetes service discovery (ServiceMonitor) adds to every series.
        labels: { namespace: 'e2e', pod: p.name.replace('#', '-') },
      })),
    );
    // Traffic over a few scrapes, so that rate() has samples on both sides of it.
    for (let i = 0; i < 5; i++) {
      expect((await postJson(`${stack.gatewayUrl}/projects/`, { title: `p${i}` })).status).toBe(
        200,
      );
      expect(
        (await postJson(`${stack.gatewayUrl}/verify/`, { id: i + 1, token: 't' })).status,
      ).toBe(200);
      expect((await get(`${stack.gatewayUrl}/no/such/path/${i}`)).status).toBe(404);
      await sleep(500);
    }
  });

  afterAll(async () => {
    await prometheus?.stop();
    await stack?.stop();
    await receiver?.stop();
  });

  it('Prometheus scrapes every app without error', async () => {
    await eventually(async () => {
      const targets = await prometheus.targets();
      return targets.length === stack.all.length && targets.every((t) => t.health === 'up');
    }, SCRAPES);
    const targets = await prometheus.targets();
    expect(targets).toHaveLength(stack.all.length);
    for (const target of targets) expect(target).toMatchObject({ health: 'up', lastError: '' });
  });

  // Exemplars exist only in OpenMetrics: that Prometheus stored any proves it negotiated that format.
  it('latency exemplars stored by Prometheus lead to traces the collector received', async () => {
    // [histogram, apps that export it, kind of the span active when it is observed]
    for (const [metric, apps, kind] of [
      ['http_server_request_duration_seconds_bucket', ['gateway', 'webapp-1'], SPAN_KIND.SERVER],
      ['grpc_server_handling_seconds_bucket', ['rpc-app-1'], SPAN_KIND.SERVER],
      ['upstream_request_duration_seconds_bucket', ['gateway'], undefined],
    ] as const) {
      const appsWithExemplars = async () =>
        new Set((await prometheus.exemplars(metric)).map((series) => series.seriesLabels.app));
      await eventually(async () => (await appsWithExemplars()).size === apps.length, SCRAPES);
      expect(await appsWithExemplars()).toEqual(new Set(apps));
      for (const series of await prometheus.exemplars(metric)) {
        for (const { labels } of series.exemplars) {
          expect(labels).toEqual({
            trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
            span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
          });
          // The exemplar's span was exported to the collector by the same app.
          await eventually(
            async () => receiver.spans.some((span) => span.spanId === labels.span_id),
            SCRAPES,
          );
          expect(receiver.spans.find((span) => span.spanId === labels.span_id)).toMatchObject({
            traceId: labels.trace_id,
            service: series.seriesLabels.app,
            ...(kind === undefined ? {} : { kind }),
          });
        }
      }
    }
  });

  it("every metric the dashboard queries exists in the apps' /metrics", async () => {
    const exposed = new Set<string>();
    for (const p of stack.all) {
      for (const line of (await get(`${p.adminUrl}/metrics`)).text.split('\n'))
        if (line !== '' && !line.startsWith('#')) exposed.add(line.split(/[{ ]/, 1)[0]);
    }
    const queried = new Set(queries.flatMap(({ expr }) => metricNames(expr)));
    // Every panel queries at least one metric: the check below cannot pass on an empty dashboard.
    for (const { panel, expr } of queries)
      expect({ panel, names: metricNames(expr).length }).not.toEqual({ panel, names: 0 });
    expect(queried.size).toBeGreaterThanOrEqual(10);
    expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('every dashboard query is valid PromQL and returns data after traffic', async () => {
    expect(panels.length).toBeGreaterThanOrEqual(10);
    expect(queries.length).toBeGreaterThanOrEqual(20);
    const empty: string[] = [];
    for (const { panel, expr } of queries) {
      const promql = resolveVariables(expr);
      const hasData = await eventually(async () => (await prometheus.query(promql)).length > 0, {
        timeoutMs: 15_000,
        intervalMs: 250,
      }).then(
        () => true,
        () => false,
      );
      if (!hasData) empty.push(`${panel}: ${promql}`);
    }
    expect(empty).toEqual([]);
  });

  it('runtime panels show one series per pod (labels app, pod, instance)', async () => {
    const cpu = resolveVariables(queries.find((q) => q.panel === 'CPU')!.expr);
    const pods = async () => (await prometheus.query(cpu)).map((s) => s.metric.pod).sort();
    const expected = stack.all.map((p) => p.name.replace('#', '-')).sort();
    await eventually(async () => (await pods()).length === expected.length, SCRAPES);
    expect(await pods()).toEqual(expected);
  });

  it('promtool finds nothing in the text format with tracing (and exemplars) on', async () => {
    for (const p of stack.all) {
      const unexpected = promtoolFindings((await get(`${p.adminUrl}/metrics`)).text);
      expect({ app: p.name, unexpected }).toEqual({ app: p.name, unexpected: [] });
    }
  });
});
