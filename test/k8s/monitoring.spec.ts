// Monitoring objects of the chart: the PrometheusRule's PromQL and the Grafana dashboard's queries
// parse with the real promtool; the dashboard ships as a sidecar-labelled ConfigMap.
import { status } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { byKind } from './support/invariants.ts';
import { helmTemplate } from './support/helm.ts';
import {
  dashboardTargets,
  expandGrafanaVariables,
  metricNames,
  promtoolCheckRules,
} from './support/promql.ts';
import { CHART } from './support/tools.ts';

const dashboard = JSON.parse(readFileSync(join(CHART, 'dashboards/gateway-stack.json'), 'utf8'));

/**
 * Names the apps export today: RED histograms/counters, the gateway's upstream and rate-limit
 * metrics, prom-client's default metrics (test/e2e/dashboard.e2e-spec.ts checks them against the
 * running apps).
 */
const EXPORTED =
  /^(http_server_request_duration_seconds_(bucket|count|sum)|grpc_server_handled_total|grpc_server_handling_seconds_(bucket|count|sum)|upstream_request_duration_seconds_(bucket|count|sum)|upstream_(retries|ejections|circuit_breaker_transitions)_total|upstream_(endpoints|circuit_breaker_state)|ratelimit_(requests|store_errors)_total|ratelimit_store_mode|auth_failures_total|process_[a-z_]+|nodejs_[a-z0-9_]+)$/;

/** What the alerts may read besides the apps' metrics: Prometheus' `up`, kube-state-metrics. */
const CLUSTER = /^(up|kube_[a-z_]+)$/;

/** grpc_code label values as rpc-app-1 emits them: grpc-js status names (UNKNOWN, DEADLINE_EXCEEDED). */
const GRPC_CODES = new Set(Object.keys(status).filter((key) => Number.isNaN(Number(key))));

/** The values a query's grpc_code matchers name, e.g. `grpc_code=~"UNKNOWN|INTERNAL"`. */
function grpcCodesIn(expr: string): string[] {
  return [...expr.matchAll(/grpc_code=~?"([^"]*)"/g)].flatMap((m) => m[1].split('|'));
}

describe('PrometheusRule', () => {
  const objects = helmTemplate({
    namespace: 'shop',
    set: ['metrics.prometheusRule.enabled=true', 'metrics.prometheusRule.labels.release=kps'],
  });
  const [rule] = byKind(objects, 'PrometheusRule');

  test('alerts on error ratio, breaker open, pods not ready and scrape failures', () => {
    const alerts = rule.spec.groups.flatMap((g: { rules: Array<{ alert: string }> }) =>
      g.rules.map((r) => r.alert),
    );
    expect(alerts).toEqual([
      'GatewayStackHighErrorRatio',
      'GatewayStackHttpErrorRatio',
      'GatewayStackGrpcErrorRatio',
      'GatewayStackCircuitBreakerOpen',
      'GatewayStackPodsNotReady',
      'GatewayStackScrapeTargetDown',
    ]);
    expect(rule.metadata.labels?.release).toBe('kps');
  });

  test('error ratios alert per app for every backend, apps taken from components (webapp-1 5xx alerts)', () => {
    const expr = (name: string) =>
      rule.spec.groups
        .flatMap((g: { rules: Array<{ alert: string; expr: string }> }) => g.rules)
        .find((r: { alert: string }) => r.alert === name).expr as string;
    const http = expr('GatewayStackHttpErrorRatio');
    expect(http).toContain('sum by (app) (rate(http_server_request_duration_seconds_count{');
    expect(http).toContain('app=~"webapp-1"');
    expect(http).toContain('status_code=~"5.."');
    const grpc = expr('GatewayStackGrpcErrorRatio');
    expect(grpc).toContain('sum by (app) (rate(grpc_server_handled_total{');
    expect(grpc).toContain('app=~"rpc-app-1"');
    // A further HTTP app is covered by values alone.
    const more = byKind(
      helmTemplate({
        set: [
          'metrics.prometheusRule.enabled=true',
          'components.webapp-2.protocol=http',
          'components.webapp-2.containerPort=5001',
          'components.webapp-2.image.repository=gateway-stack/webapp-1',
        ],
      }),
      'PrometheusRule',
    )[0];
    expect(JSON.stringify(more.spec)).toContain('app=~\\"webapp-1|webapp-2\\"');
  });

  test('gRPC status codes are spelled as rpc-app-1 labels them', () => {
    const codes = rule.spec.groups.flatMap((g: { rules: Array<{ expr: string }> }) =>
      g.rules.flatMap((r) => grpcCodesIn(r.expr)),
    );
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((code: string) => !GRPC_CODES.has(code))).toEqual([]);
  });

  test('alerts read only metrics the apps export (or up, kube-state-metrics)', () => {
    const names = rule.spec.groups.flatMap((g: { rules: Array<{ expr: string }> }) =>
      g.rules.flatMap((r) => metricNames(r.expr)),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name: string) => !EXPORTED.test(name) && !CLUSTER.test(name))).toEqual([]);
  });

  test('every rule passes promtool check rules', () => {
    const result = promtoolCheckRules(rule.spec.groups);
    expect(result.output).toContain('SUCCESS: 6 rules found');
    expect(result.status).toBe(0);
  });

  test('promtool would catch a broken expression (the check can fail)', () => {
    const result = promtoolCheckRules([
      { name: 'x', rules: [{ alert: 'Broken', expr: 'sum(rate(foo[5m])' }] },
    ]);
    expect(result.status).not.toBe(0);
  });
});

describe('Grafana dashboard', () => {
  const targets = dashboardTargets(dashboard);

  test('is shipped as a ConfigMap with the Grafana sidecar label when enabled', () => {
    const objects = helmTemplate({ set: ['metrics.dashboard.enabled=true'] });
    const configMap = byKind(objects, 'ConfigMap').find(
      (cm) => cm.metadata.name === 'rel-gateway-stack-dashboard',
    )!;
    expect(configMap.metadata.labels?.grafana_dashboard).toBe('1');
    expect(JSON.parse(configMap.data['gateway-stack.json'])).toEqual(dashboard);
  });

  test('has panels for HTTP, gRPC and the runtime, each with a query', () => {
    expect(targets.length).toBeGreaterThanOrEqual(12);
    expect(new Set(targets.flatMap((t) => metricNames(t.expr)))).toEqual(
      new Set([
        'http_server_request_duration_seconds_count',
        'http_server_request_duration_seconds_bucket',
        'grpc_server_handled_total',
        'grpc_server_handling_seconds_bucket',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_heap_size_used_bytes',
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_gc_duration_seconds_sum',
        'process_start_time_seconds',
        'process_open_fds',
        'process_max_fds',
        'nodejs_eventloop_active_seconds_total',
        'upstream_request_duration_seconds_count',
        'upstream_request_duration_seconds_bucket',
        'upstream_circuit_breaker_state',
        'upstream_retries_total',
        'upstream_ejections_total',
        'upstream_endpoints',
        'ratelimit_requests_total',
        'ratelimit_store_mode',
        'ratelimit_store_errors_total',
        'auth_failures_total',
      ]),
    );
  });

  test('names no app: the Namespace and App variables list what Prometheus sees', () => {
    const variables = dashboard.templating.list.filter(
      (v: { type: string }) => v.type === 'query',
    ) as Array<{ name: string; query: { query: string } }>;
    expect(variables.map((v) => v.name)).toEqual(['namespace', 'app']);
    expect(variables.map((v) => v.query.query)).toEqual([
      'label_values(nodejs_version_info{app!=""}, namespace)',
      'label_values(nodejs_version_info{namespace=~"$namespace", app!=""}, app)',
    ]);
    // Every `app` matcher of every query (panels and variables) is the variable or "any app".
    const queries = [...targets.map((t) => t.expr), ...variables.map((v) => v.query.query)];
    const matchers = queries.flatMap((q) => [...q.matchAll(/\bapp\s*(=~|!=|=|!~)\s*"([^"]*)"/g)]);
    expect(matchers.length).toBeGreaterThan(targets.length);
    expect(
      matchers.map((m) => `${m[1]}"${m[2]}"`).filter((m) => m !== '=~"$app"' && m !== '!=""'),
    ).toEqual([]);
  });

  test('gRPC status codes are spelled as rpc-app-1 labels them', () => {
    const codes = targets.flatMap((t) => grpcCodesIn(t.expr));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((code) => !GRPC_CODES.has(code))).toEqual([]);
  });

  test('queries only metrics the apps export, and every query parses (promtool)', () => {
    for (const target of targets)
      for (const name of metricNames(target.expr))
        expect(`${name}: ${EXPORTED.test(name)}`).toBe(`${name}: true`);
    const rules = targets.map((target, i) => ({
      record: `dashboard:query_${i}`,
      expr: expandGrafanaVariables(target.expr),
    }));
    const result = promtoolCheckRules([{ name: 'dashboard', rules }]);
    expect(result.output).toContain(`SUCCESS: ${targets.length} rules found`);
  });
});
