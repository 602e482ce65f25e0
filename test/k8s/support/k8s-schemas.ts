// Validates rendered objects against the official Kubernetes OpenAPI v3 schemas of one version
// (from the k8s.io/kubernetes Go module: api/openapi-spec/v3) and CRD kinds against the CRDs their
// projects publish (prometheus-operator, KEDA), strictly:
// - every object schema with `properties` gets additionalProperties:false (the API server prunes or
//   rejects unknown fields; a typo such as `readinesProbe` must fail here), except where the schema
//   says x-kubernetes-preserve-unknown-fields;
// - int-or-string and Quantity keep their oneOf, int32/int64 are range-checked;
// - x-kubernetes-list-type map/set lists must not repeat keys (the API server rejects duplicates);
// - apiVersion/kind pick the schema through x-kubernetes-group-version-kind, unknown kinds fail.
// Not covered: CEL rules (x-kubernetes-validations) and the API server's hand-written Go validation.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from './helm.ts';
import { goModuleDir } from './tools.ts';

/** Oldest supported and newest stable Kubernetes; the chart's kubeVersion is >=1.30. */
export const KUBE_VERSIONS = ['1.30.14', '1.37.2'] as const;

/** CRD sources: Go modules of the projects that define the kinds, and the CRD files in them. */
export const CRD_SOURCES = [
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'v0.85.0',
    files: [
      'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
      'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
    ],
  },
  {
    module: 'github.com/kedacore/keda/v2',
    version: 'v2.21.0',
    files: ['config/crd/bases/keda.sh_scaledobjects.yaml'],
  },
] as const;

type Schema = Record<string, unknown>;
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const K8S_ID = 'k8s.json';

/**
 * Go's regexp (used by CRD validation) accepts a leading `(?i)`; ECMAScript does not. Rewrites it
 * as explicit case classes: `(?i)warn` -> `[wW][aA][rR][nN]` (letters outside classes and escapes).
 */
function goPatternToEcma(pattern: string): string {
  if (!pattern.includes('(?i)')) return pattern;
  let out = '';
  let inClass = false;
  const source = pattern.replace('(?i)', '');
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      out += ch + (source[++i] ?? '');
    } else if (ch === '[') {
      inClass = true;
      out += ch;
    } else if (ch === ']') {
      inClass = false;
      out += ch;
    } else if (!inClass && /[a-z]/i.test(ch)) {
      out += `[${ch.toLowerCase()}${ch.toUpperCase()}]`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** Walks a schema tree and closes every object that lists properties (see header). */
function strictify(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(strictify);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Schema;
  if (typeof schema.pattern === 'string') schema.pattern = goPatternToEcma(schema.pattern);
  if (schema['x-kubernetes-int-or-string'] === true && !schema.anyOf && !schema.oneOf) {
    delete schema.type;
    schema.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (
    schema.properties &&
    typeof schema.properties === 'object' &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    schema.additionalProperties = false;
  }
  for (const value of Object.values(schema)) strictify(value);
}

function uniqueKeysKeyword(ajv: Ajv): void {
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-map-keys',
    type: 'array',
    schemaType: 'array',
    errors: false,
    validate: (keys: string[], data: unknown[]) => {
      const seen = new Set(
        data.map((item) => JSON.stringify(keys.map((key) => (item as Schema)?.[key] ?? null))),
      );
      return seen.size === data.length;
    },
  });
  ajv.addKeyword({
    keyword: 'x-kubernetes-list-type',
    type: 'array',
    schemaType: 'string',
    errors: false,
    validate: (listType: string, data: unknown[]) =>
      listType !== 'set' || new Set(data.map((item) => JSON.stringify(item))).size === data.length,
  });
}

function addFormats(ajv: Ajv): void {
  const int = (bits: number) => ({
    type: 'number' as const,
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** (bits - 1)) && n < 2 ** (bits - 1),
  });
  ajv.addFormat('int32', int(32));
  ajv.addFormat('int64', int(64));
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('int-or-string', true);
}

function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    // oneOf/anyOf branches repeat the real error; keep the leaf messages.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf' || error.keyword === 'allOf')
      continue;
    const extra =
      error.keyword === 'additionalProperties'
        ? ` '${(error.params as { additionalProperty: string }).additionalProperty}'`
        : '';
    const listKeys = error.keyword.startsWith('x-kubernetes-list') ? ' (duplicate entries)' : '';
    seen.add(`${error.instancePath || '/'} ${error.message ?? error.keyword}${extra}${listKeys}`);
  }
  return [...seen];
}

export interface SchemaSet {
  kubeVersion: string;
  /** Problems of one object; empty when it validates. */
  validate(object: K8sObject): string[];
  /** Where the schemas came from, for the test's report. */
  sources: string[];
}

const cache = new Map<string, SchemaSet>();

/** Loads and compiles the schemas of one Kubernetes version (cached per process). */
export function schemaSet(kubeVersion: string): SchemaSet {
  const cached = cache.get(kubeVersion);
  if (cached) return cached;

  const moduleDir = goModuleDir('k8s.io/kubernetes', `v${kubeVersion}`);
  const specDir = join(moduleDir, 'api/openapi-spec/v3');
  const schemas: Record<string, Schema> = {};
  for (const file of readdirSync(specDir).filter((name) => name.endsWith('.json'))) {
    const spec = JSON.parse(readFileSync(join(specDir, file), 'utf8')) as {
      components?: { schemas?: Record<string, Schema> };
    };
    Object.assign(schemas, spec.components?.schemas ?? {});
  }
  const byGvk = new Map<string, string>();
  for (const [name, schema] of Object.entries(schemas)) {
    for (const gvk of (schema['x-kubernetes-group-version-kind'] as Array<{
      group: string;
      version: string;
      kind: string;
    }>) ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      if (!byGvk.has(`${apiVersion}/${gvk.kind}`)) byGvk.set(`${apiVersion}/${gvk.kind}`, name);
    }
  }
  strictify(schemas);

  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  uniqueKeysKeyword(ajv);
  ajv.addSchema({ $id: K8S_ID, components: { schemas } });

  const compiled = new Map<string, ValidateFunction>();
  const envelope = (ref: string, apiVersion: string, kind: string): Schema => ({
    allOf: [{ $ref: ref }],
    required: ['apiVersion', 'kind', 'metadata'],
    properties: { apiVersion: { const: apiVersion }, kind: { const: kind } },
  });
  for (const [key, name] of byGvk) {
    const [apiVersion, kind] = [
      key.slice(0, key.lastIndexOf('/')),
      key.slice(key.lastIndexOf('/') + 1),
    ];
    compiled.set(
      key,
      ajv.compile(envelope(`${K8S_ID}#/components/schemas/${name}`, apiVersion, kind)),
    );
  }

  const sources = [`k8s.io/kubernetes@v${kubeVersion} api/openapi-spec/v3`];
  for (const source of CRD_SOURCES) {
    const dir = goModuleDir(source.module, source.version);
    for (const file of source.files) {
      const crd = parseAllDocuments(readFileSync(join(dir, file), 'utf8'))[0].toJS() as {
        spec: {
          group: string;
          names: { kind: string };
          versions: Array<{ name: string; served: boolean; schema: { openAPIV3Schema: Schema } }>;
        };
      };
      for (const version of crd.spec.versions.filter((v) => v.served)) {
        const schema = structuredClone(version.schema.openAPIV3Schema);
        strictify(schema);
        (schema.properties as Schema).metadata = {
          $ref: `${K8S_ID}#/components/schemas/${OBJECT_META}`,
        };
        const apiVersion = `${crd.spec.group}/${version.name}`;
        const kind = crd.spec.names.kind;
        compiled.set(
          `${apiVersion}/${kind}`,
          ajv.compile({ ...envelope('#/$defs/crd', apiVersion, kind), $defs: { crd: schema } }),
        );
      }
      sources.push(`${source.module}@${source.version} ${file}`);
    }
  }

  const set: SchemaSet = {
    kubeVersion,
    sources,
    validate(object) {
      const key = `${object.apiVersion}/${object.kind}`;
      const validator = compiled.get(key);
      if (!validator)
        return [`no schema for ${key} in Kubernetes ${kubeVersion} or the known CRDs`];
      return validator(object) ? [] : formatErrors(validator.errors);
    },
  };
  cache.set(kubeVersion, set);
  return set;
}
