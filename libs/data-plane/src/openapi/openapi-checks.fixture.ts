import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';

// No OpenAPI validator is a dependency: the specs check the rules of OpenAPI 3.1 that a generated
// document can break, and compile every schema in it with ajv (draft 2020-12, the 3.1 dialect).

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const STATUS = /^(?:[1-5]XX|[1-5]\d\d|default)$/;
const COMPONENT_NAME = /^[a-zA-Z0-9.\-_]+$/;

type Json = Record<string, unknown>;

/** Every rule broken, as one line each; empty when the document is sound. */
export function openApiProblems(doc: Json): string[] {
  const problems: string[] = [];
  const fail = (where: string, why: string) => problems.push(`${where}: ${why}`);
  if (!/^3\.1\.\d+$/.test(String(doc.openapi))) fail('openapi', 'expected 3.1.x');
  const info = doc.info as Json | undefined;
  if (typeof info?.title !== 'string' || typeof info?.version !== 'string') {
    fail('info', 'expected title and version strings');
  }
  const components = (doc.components ?? {}) as Json;
  const schemes = (components.securitySchemes ?? {}) as Json;
  for (const name of Object.keys((components.schemas ?? {}) as Json)) {
    if (!COMPONENT_NAME.test(name)) fail(`components.schemas.${name}`, 'bad component name');
  }
  const operationIds = new Set<string>();
  const shapes = new Set<string>();
  for (const [path, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
    if (!path.startsWith('/')) fail(path, 'a path starts with /');
    const shape = path.replace(/\{[^}]*\}/g, '{}');
    if (shapes.has(shape)) fail(path, 'another path differs only in variable names');
    shapes.add(shape);
    const variables = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item as Record<string, Json>)) {
      const where = `${method} ${path}`;
      if (!METHODS.has(method)) {
        fail(where, 'not an HTTP method');
        continue;
      }
      const id = op.operationId as string;
      if (typeof id !== 'string' || operationIds.has(id))
        fail(where, `operationId ${id} not unique`);
      operationIds.add(id);
      const parameters = (op.parameters ?? []) as Json[];
      const inPath = parameters.filter((p) => p.in === 'path').map((p) => p.name);
      if ([...inPath].sort().join() !== [...variables].sort().join()) {
        fail(where, `path parameters ${inPath.join()} are not the template's ${variables.join()}`);
      }
      const seen = new Set<string>();
      for (const p of parameters) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in as string)) fail(where, 'bad in');
        if (p.in === 'path' && p.required !== true)
          fail(where, `path parameter ${p.name} not required`);
        if (seen.has(`${p.in} ${p.name}`)) fail(where, `parameter ${p.name} twice`);
        seen.add(`${p.in} ${p.name}`);
        if (!p.schema) fail(where, `parameter ${p.name} without schema`);
      }
      const responses = (op.responses ?? {}) as Record<string, Json>;
      if (Object.keys(responses).length === 0) fail(where, 'no responses');
      for (const [status, response] of Object.entries(responses)) {
        if (!STATUS.test(status)) fail(where, `bad status ${status}`);
        if (typeof response.description !== 'string') fail(where, `${status} without description`);
      }
      for (const requirement of (op.security ?? []) as Json[]) {
        for (const name of Object.keys(requirement)) {
          if (!(name in schemes)) fail(where, `unknown security scheme ${name}`);
        }
      }
    }
  }
  for (const ref of new Set(refsIn(doc))) {
    if (!ref.startsWith('#/') || resolvePointer(doc, ref) === undefined)
      fail(ref, 'does not resolve');
  }
  if (problems.length === 0) {
    try {
      compileSchemas(doc);
    } catch (err) {
      fail('schemas', (err as Error).message);
    }
  }
  return problems;
}

/** A validator of the schema at `pointer` (e.g. `#/paths/~1verify/post/...`), refs resolved. */
export function schemaAt(doc: Json, pointer: string): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema(doc, 'doc');
  const validate = ajv.getSchema(`doc${pointer}`);
  if (!validate) throw new Error(`no schema at ${pointer}`);
  return validate;
}

/** The pointer of an operation's JSON request body or 200-ish reply schema. */
export function bodyPointer(path: string, method: string, part: 'request' | string): string {
  const item = `#/paths/${path.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`;
  return part === 'request'
    ? `${item}/requestBody/content/application~1json/schema`
    : `${item}/responses/${part}/content/application~1json/schema`;
}

function compileSchemas(doc: Json): void {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema(doc, 'doc');
  for (const pointer of schemaPointers(doc, '#')) {
    if (!ajv.getSchema(`doc${pointer}`)) throw new Error(`${pointer} does not compile`);
  }
}

function* schemaPointers(value: unknown, at: string): Generator<string> {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    const here = `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (k === 'schema' || (at === '#/components/schemas' && v && typeof v === 'object')) yield here;
    else yield* schemaPointers(v, here);
  }
}

function refsIn(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === '$ref' && typeof v === 'string' ? [v] : refsIn(v),
  );
}

function resolvePointer(doc: unknown, ref: string): unknown {
  let node = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !(key in node)) return undefined;
    node = (node as Json)[key];
  }
  return node;
}
