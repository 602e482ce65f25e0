import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { bodyProblemOf, problem, type BodyProblem } from './body-problem';
import type { JsonSchema } from './route-model';

export type { BodyProblem } from './body-problem';

/** A route's body check: null when the body satisfies the route's schema, else its first problem. */
export type BodyCheck = (body: unknown) => BodyProblem | null;

const ROOT = 'body';
const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

// Keywords ajv checks on an object before its properties; zod, and so the seed, reports the
// properties first, in their order (a missing one at its place), then these.
const BEFORE_PROPERTIES = new Set([
  'required',
  'additionalProperties',
  'dependentRequired',
  'minProperties',
  'maxProperties',
  'propertyNames',
]);

// Checks schemas against the draft's meta-schema, for every compile: compiling the meta-schema
// takes ten times longer than a route's schema, and checking adds nothing to the instance.
const metaSchema = new Ajv2020({ logger: false });

// Keywords whose values are data, not schemas: a `$ref` inside them is not a reference.
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/**
 * Compiles a route's bodySchema (JSON Schema draft 2020-12) once, into a check called per request
 * (docs/adr/0008-route-model.md). Throws on a schema that cannot be compiled: invalid, an unknown
 * keyword or format, a `$ref` that is not local (`#/...`).
 *
 * The check stops at the first error (ajv's allErrors would make a large bad body cost far more
 * than parsing it); only when that error is an object's own rule (`required`,
 * `additionalProperties`, ...) are that object's properties looked at in order, so that the answer
 * is the one the seed's zod contracts give: the first problem in property order.
 */
export function compileBodySchema(schema: JsonSchema): BodyCheck {
  // The route file's check compiles each schema once; the data plane asks again for the same
  // object when it serves the table: the second compile (about 1.6 ms each) is not repeated.
  let check = compiled.get(schema);
  if (check === undefined) {
    check = compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

const compiled = new WeakMap<JsonSchema, BodyCheck>();

function compile(schema: JsonSchema): BodyCheck {
  const pointers = schemaPointers(schema);
  if (schema.$schema !== undefined && schema.$schema !== DRAFT_2020_12)
    throw new Error(`$schema must be ${DRAFT_2020_12}, not ${JSON.stringify(schema.$schema)}`);
  const ajv = new Ajv2020({
    validateSchema: false, // done above
    verbose: true, // errors carry their schema and value: `between A and B`, property order
    unicode: false, // lengths in UTF-16 units, as zod (the contracts) counts them
    ownProperties: true, // a body without `constructor` lacks it, whatever Object.prototype has
    allowUnionTypes: true,
    strictTypes: false,
    strictTuples: false,
    logger: false,
  });
  addFormats(ajv);
  let validate: ValidateFunction;
  try {
    if (!metaSchema.validateSchema(schema))
      throw new Error(`schema is invalid: ${metaSchema.errorsText()}`);
    validate = ajv.addSchema(schema, ROOT).getSchema(ROOT) as ValidateFunction;
  } catch (error) {
    throw new Error(`cannot be compiled: ${(error as Error).message.replace(/\s+/g, ' ')}`, {
      cause: error,
    });
  }
  const subValidators = new Map<string, ValidateFunction | undefined>();
  const propertyValidator = (pointer: string) => {
    if (!subValidators.has(pointer))
      subValidators.set(pointer, ajv.getSchema(`${ROOT}#${pointer}`));
    return subValidators.get(pointer);
  };

  const firstProblem = (errors: readonly ErrorObject[], path: readonly string[]): BodyProblem => {
    // With allErrors off the failing error is the last one; before it may come those of the
    // branches of an anyOf/oneOf/if it stands for. An `if` stands for its branch's error.
    const last = errors.findLast((error) => error.keyword !== 'if') ?? errors.at(-1);
    if (last === undefined) return problem([...path], 'is not valid'); // ajv always says why
    const at = [...path, ...segmentsOf(last.instancePath)];
    if (BEFORE_PROPERTIES.has(last.keyword)) {
      const earlier = propertyProblem(last.parentSchema, last.data, at);
      if (earlier) return earlier;
    }
    return bodyProblemOf(at, last);
  };

  const propertyProblem = (
    objectSchema: unknown,
    value: unknown,
    path: readonly string[],
  ): BodyProblem | undefined => {
    const pointer = pointers.get(objectSchema as object);
    if (pointer === undefined || !isObject(value) || !isObject(objectSchema)) return undefined;
    const required = Array.isArray(objectSchema.required) ? objectSchema.required : [];
    const properties = isObject(objectSchema.properties) ? objectSchema.properties : {};
    for (const key of Object.keys(properties)) {
      if (!Object.hasOwn(value, key) || value[key] === undefined) {
        if (required.includes(key)) return problem([...path, key], 'is required');
        continue;
      }
      const check = propertyValidator(`${pointer}/properties/${pointerSegment(key)}`);
      if (check !== undefined && !check(value[key]))
        return firstProblem([...(check.errors ?? [])], [...path, key]);
    }
    return undefined;
  };

  return (body) => (validate(body) ? null : firstProblem(validate.errors ?? [], []));
}

/** Why a route file's bodySchema cannot be used, in one line; undefined when it can. */
export function bodySchemaProblem(schema: JsonSchema): string | undefined {
  try {
    compileBodySchema(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Where each object of the schema is (a JSON pointer), to find the schema of one property; and
 * the refusal of any `$ref` that is not local: a route file's schema fetches nothing.
 */
function schemaPointers(schema: JsonSchema): Map<object, string> {
  const pointers = new Map<object, string>();
  const walk = (node: unknown, pointer: string) => {
    if (typeof node !== 'object' || node === null) return;
    if (!pointers.has(node)) pointers.set(node, pointer);
    for (const [key, value] of Object.entries(node)) {
      if ((key === '$ref' || key === '$dynamicRef') && typeof value === 'string') {
        if (!value.startsWith('#'))
          throw new Error(`${key} must be local (#/...), not ${JSON.stringify(value)}`);
      } else if (!DATA_KEYWORDS.has(key)) walk(value, `${pointer}/${pointerSegment(key)}`);
    }
  };
  walk(schema, '');
  return pointers;
}

function pointerSegment(key: string): string {
  return encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'));
}

function segmentsOf(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
