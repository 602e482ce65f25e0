// PromQL checks with the real promtool: expressions are wrapped in a rules file and parsed by
// `promtool check rules`, which reports syntax errors per rule.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run, tool } from './tools.ts';

/** Runs `promtool check rules` on rule groups; returns promtool's output and exit status. */
export function promtoolCheckRules(groups: unknown[]): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, stringify({ groups }));
    const result = run(tool('promtool'), ['check', 'rules', file]);
    return { status: result.status, output: result.stdout + result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Grafana variables replaced by values PromQL accepts, so dashboard queries can be parsed. */
export function expandGrafanaVariables(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__interval', '1m')
    .replace(/\$\{?(namespace|app)\}?/g, 'x');
}

/** Metric names a PromQL expression selects (identifiers directly followed by a `{` selector). */
export function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{/g)]
    .map((m) => m[1])
    .filter((name) => !['by', 'without', 'on', 'ignoring'].includes(name));
}

export interface DashboardTarget {
  panel: string;
  expr: string;
}

/** Every query of a Grafana dashboard (panels, nested rows). */
export function dashboardTargets(dashboard: {
  panels: Array<{ title: string; targets?: Array<{ expr: string }>; panels?: unknown[] }>;
}): DashboardTarget[] {
  const out: DashboardTarget[] = [];
  const visit = (panels: typeof dashboard.panels) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) out.push({ panel: panel.title, expr: target.expr });
      visit((panel.panels ?? []) as typeof dashboard.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}
