// The chart's documentation cannot drift: the README's values table is generated from values.yaml,
// every value is documented, and every key the schema allows is present (so documented) in values.yaml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { helmTemplate } from './support/helm.ts';
import { byKind } from './support/invariants.ts';
import { CHART } from './support/tools.ts';
import { valuesRows, withValuesTable } from './support/values-doc.ts';

const valuesText = readFileSync(join(CHART, 'values.yaml'), 'utf8');
const values = parse(valuesText) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));

type SchemaNode = {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  allOf?: SchemaNode[];
  additionalProperties?: unknown;
};
const resolve = (node: SchemaNode): SchemaNode =>
  node.$ref ? schema.$defs[node.$ref.split('/').pop()!] : node;

/** Schema property paths missing from the values (arrays' items and free-form maps are not walked). */
function missingFromValues(node: SchemaNode, value: unknown, path: string): string[] {
  const resolved = resolve(node);
  if (!resolved.properties || typeof value !== 'object' || value === null || Array.isArray(value))
    return [];
  return Object.entries(resolved.properties).flatMap(([key, child]) =>
    key in value
      ? missingFromValues(child, (value as Record<string, unknown>)[key], `${path}.${key}`)
      : [`${path}.${key}`],
  );
}

test('the README values table is the one generated from values.yaml (node test/k8s/support/values-doc.ts --write)', () => {
  const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
  expect(readme).toBe(withValuesTable(readme, valuesText));
});

test('every value in values.yaml is documented with a `# --` comment', () => {
  const { rows, undocumented } = valuesRows(valuesText);
  expect(undocumented).toEqual([]);
  expect(rows.length).toBeGreaterThan(100);
});

test('every key the schema allows appears in values.yaml (so it is documented and has a default)', () => {
  const components = values.components as Record<string, Record<string, unknown>>;
  const missing = [
    ...missingFromValues(
      {
        properties: {
          ...schema.properties,
          componentDefaults: { properties: {} },
          components: { properties: {} },
        },
      },
      values,
      '',
    ),
    // A component key may be set in componentDefaults or in a components entry.
    ...Object.keys(schema.$defs.component.properties).flatMap((key) =>
      key in (values.componentDefaults as object) || Object.values(components).some((c) => key in c)
        ? []
        : [`component.${key}`],
    ),
    ...missingFromValues(
      { $ref: '#/$defs/component' },
      values.componentDefaults,
      '.componentDefaults',
    ).filter((path) => !Object.values(components).some((c) => path.split('.')[2] in c)),
  ];
  expect(missing).toEqual([]);
});

/* eslint-disable @typescript-eslint/no-explicit-any -- adapter rules are free-form YAML */
test("the README's prometheus-adapter rules serve the metric names the HPA asks for", () => {
  const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
  const block = /```yaml\n(rules:[\s\S]*?)```/.exec(readme)![1];
  const served = (parse(block) as { rules: Array<Record<string, any>> }).rules.map((rule) => {
    const series = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{/.exec(rule.seriesQuery)![1];
    return series.replace(new RegExp(rule.name.matches), rule.name.as.replace('${1}', '$1'));
  });
  const hpas = byKind(
    helmTemplate({
      set: [
        'componentDefaults.autoscaling.enabled=true',
        'componentDefaults.autoscaling.requestRate.enabled=true',
      ],
    }),
    'HorizontalPodAutoscaler',
  );
  const asked = new Set(hpas.map((hpa) => hpa.spec.metrics[1].pods.metric.name));
  expect(asked.size).toBe(2);
  expect(new Set(served)).toEqual(asked);
});

test("the README's alert table lists exactly the alerts the PrometheusRule renders", () => {
  const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
  const documented = [...readme.matchAll(/^\| `(GatewayStack[A-Za-z]+)` \|/gm)].map((m) => m[1]);
  const [rule] = byKind(
    helmTemplate({ set: ['metrics.prometheusRule.enabled=true'] }),
    'PrometheusRule',
  );
  const rendered = rule.spec.groups.flatMap((g: { rules: Array<{ alert: string }> }) =>
    g.rules.map((r) => r.alert),
  );
  expect(documented).toEqual(rendered);
});
