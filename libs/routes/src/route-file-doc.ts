import { z } from 'zod';
import { routeFileSchema } from './route-file-schema';

/** docs/route-file.md, rendered from the schema's descriptions (route-file-doc.spec.ts keeps it so). */
export const ROUTE_FILE_DOC = 'docs/route-file.md';

interface JsonSchema {
  /** Set where a field's type is better named than rendered (`.meta({ title })`). */
  title?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
}

const HEAD = `# Route file reference

<!-- Generated from routeFileSchema (libs/routes/src/route-file-schema.ts) by
libs/routes/src/route-file-doc.ts; do not edit. Regenerate:
WRITE_DOCS=1 npx jest --selectProjects unit libs/routes/src/route-file-doc.spec.ts -->

The gateway's routes and upstreams as data, in YAML or JSON (\`ROUTES_FILE\`); the model and the
choices behind it: [ADR 0008](adr/0008-route-model.md). Example: the gateway's own two routes,
[examples/routes.yaml](examples/routes.yaml). Every field left out takes the gateway's global
setting, named in its row ([configuration reference](configuration.md)).

Besides each field's own rules:
- every route names an upstream of the file or is a redirect (\`redirect\`), and route names are
  unique;
- no two routes take the same method, path (templates differing only in variable names are the
  same path; a strict exact path is the path without its trailing slash), host, \`headers\` and
  \`query\`: routes that differ only by their headers or query are tried in order (\`match\`),
  so a route with \`headers: { x-tenant: blue }\` and one without take the same path; a header is
  named once (names ignore case), and never \`host\` (that is \`hosts\`);
- \`urls\` is required on http upstreams, \`target\` and \`protos\` on grpc ones; \`urls\`,
  \`rewrite\`, \`headers\` and \`traffic.connectTimeoutMs\` only on http upstreams, \`target\`,
  \`protos\`, \`httpRulesFromProtos\` and \`traffic.keepalive\` only on grpc ones;
- a route to a grpc upstream names its method (\`grpc\`), one of the services in the upstream's
  \`protos\` (which must exist and parse); a route to an http upstream names none;
- \`headers\` neither adds nor removes a header the gateway sets (\`host\`, \`content-length\`,
  \`transfer-encoding\`, \`connection\`, \`x-request-id\`), nor names one twice;
- \`auth.scopes\` only with \`scheme: jwt\`; \`traffic.outlier.maxEjectionMs\` not below
  \`baseEjectionMs\`.
- \`bodySchema\` compiles: a valid draft 2020-12 schema whose keywords and formats are all known
  (a misspelt keyword is an error, not a rule silently skipped), with local \`$ref\`s only and no
  \`$schema\` but draft 2020-12's.
- a grpc upstream with \`httpRulesFromProtos: true\` also gets one route per \`google.api.http\`
  rule and additional binding of its services' methods, named \`<upstream>.<method in lower
  case>\` (\`.1\`, \`.2\`, ... for the additional bindings), with the gateway's defaults as
  policies (\`retry.idempotent\` only for GET); a route of the file taking the same requests (same
  method, same path shape, any host) wins - that is how a method gets other policies - and the
  generated one is listed as \`skipped\`; a generated route may not hold a route's name. Streaming
  methods and custom HTTP methods (\`custom { kind: "PURGE" }\`) get no route either; the table
  lists them as \`skipped\`, which the gateway logs.

A file that breaks any rule stops the gateway with one line per problem, naming the file, the route
(by index and name) or upstream, and the field:

\`\`\`
routes.yaml: routes[2] "orders": upstream: no upstream named "order-svc"
routes.yaml: upstreams "webapp-1": traffic.retry.maxAttempts: expected at most 5 (got 9)
\`\`\`

| field | type | required | meaning |
|---|---|---|---|
`;

export function renderRouteFileDoc(): string {
  const schema = z.toJSONSchema(routeFileSchema, { io: 'input' }) as JsonSchema;
  return `${HEAD}${fieldRows(schema, '').join('\n')}\n`;
}

function fieldRows(schema: JsonSchema, prefix: string): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, field]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const required = schema.required?.includes(key) ? 'yes' : 'no';
    const row = `| \`${path}\` | ${typeOf(field)} | ${required} | ${cell(field.description ?? '')} |`;
    return [row, ...nestedRows(field, path)];
  });
}

function nestedRows(field: JsonSchema, path: string): string[] {
  if (field.properties) return fieldRows(field, path);
  if (field.items?.properties) return fieldRows(field.items, `${path}[]`);
  if (typeof field.additionalProperties === 'object' && field.additionalProperties.properties)
    return fieldRows(field.additionalProperties, `${path}.<name>`);
  return [];
}

function typeOf(field: JsonSchema): string {
  if (field.title !== undefined) return field.title;
  if (field.const !== undefined) return `\`${JSON.stringify(field.const)}\``;
  if (field.enum) return field.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  switch (field.type) {
    case 'integer':
    case 'number':
      return `${field.type}${range(field)}`;
    case 'array': {
      const items = field.items?.properties ? 'objects' : typeOf(field.items ?? {});
      return `list of ${items}${field.minItems ? `, at least ${field.minItems}` : ''}`;
    }
    case 'object':
      return typeof field.additionalProperties === 'object'
        ? `map of name to ${field.additionalProperties.properties ? 'object' : typeOf(field.additionalProperties)}`
        : 'object';
    default:
      return field.type ?? 'any';
  }
}

function range(field: JsonSchema): string {
  const max = field.maximum !== undefined && field.maximum < Number.MAX_SAFE_INTEGER;
  if (field.minimum !== undefined && max) return ` ${field.minimum}-${field.maximum}`;
  if (field.minimum !== undefined) return ` >= ${field.minimum}`;
  return '';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
