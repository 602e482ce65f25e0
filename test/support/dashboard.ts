// The Grafana dashboard's queries as Prometheus runs them: what the local end-to-end test and the
// cluster test both check returns data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DASHBOARD = join(__dirname, '../../charts/gateway-stack/dashboards/gateway-stack.json');

export interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

/**
 * Grafana's variables as "All" resolves them. $__rate_interval is several scrape intervals in
 * Grafana; a minute covers enough 2 s scrapes here.
 */
const VARIABLES: Record<string, string> = {
  namespace: '.*',
  app: 'gateway|webapp-1|rpc-app-1',
  __rate_interval: '1m',
};

/** The dashboard's panels (rows left out). */
export function dashboardPanels(): Panel[] {
  return (JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[] }).panels.filter(
    (panel) => panel.type !== 'row',
  );
}

/** Every query of every panel, with the panel's title. */
export function dashboardQueries(): Array<{ panel: string; expr: string }> {
  return dashboardPanels().flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );
}

/** Metric names in a PromQL expression: every selector of the dashboard has label matchers. */
export function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((match) => match[1]);
}

export function resolveVariables(expr: string): string {
  const resolved = expr.replace(/\$(\w+)/g, (whole, name: string) => VARIABLES[name] ?? whole);
  if (resolved.includes('$')) throw new Error(`unknown variable in ${expr}`);
  return resolved;
}
