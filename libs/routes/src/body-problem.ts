import type { ErrorObject } from 'ajv';

/** What is wrong with a request body: the 400 answer's `message`, and `field` unless the whole body. */
export interface BodyProblem {
  message: string;
  field?: string;
}

/** The seed's answer (libs/http-server/src/body.pipe.ts) to a body that is not a JSON object. */
export const NOT_AN_OBJECT = 'request body must be a JSON object (Content-Type: application/json)';

const TYPES: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

type Schema = Record<string, unknown>;

/**
 * One validation error as the seed's contracts word it (libs/contracts/src/http/bodies.ts): the
 * field first, dotted (`user.id`, `items.0`), then what it must be - `id must be an integer`,
 * `title is required`, `id must be between 1 and 2147483647`.
 * `path` is where the error is, `error` ajv's error there (ajv's `verbose` gives the schema).
 */
export function bodyProblemOf(path: readonly string[], error: ErrorObject): BodyProblem {
  const params = error.params as Record<string, unknown>;
  const schema = (error.parentSchema ?? {}) as Schema;
  const child = (name: unknown) => problem([...path, String(name)], 'is not allowed');
  const is = (predicate: string) => problem(path, predicate);
  const limit = params.limit as number;
  switch (error.keyword) {
    case 'type': {
      const types = [params.type].flat().map(String);
      if (path.length === 0 && types.length === 1 && types[0] === 'object')
        return { message: NOT_AN_OBJECT };
      return is(`must be ${types.map((type) => TYPES[type] ?? type).join(' or ')}`);
    }
    case 'required':
      return problem([...path, String(params.missingProperty)], 'is required');
    case 'dependentRequired':
      return problem(
        [...path, String(params.missingProperty)],
        `is required when ${String(params.property)} is given`,
      );
    case 'additionalProperties':
      return child(params.additionalProperty);
    case 'unevaluatedProperties':
      return child(params.unevaluatedProperty);
    case 'false schema':
      return is('is not allowed');
    case 'minLength':
      return is(limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`);
    case 'maxLength':
      return is(`must be at most ${limit} characters`);
    case 'minimum':
    case 'maximum':
      return typeof schema.minimum === 'number' && typeof schema.maximum === 'number'
        ? is(`must be between ${schema.minimum} and ${schema.maximum}`)
        : is(`must be at ${error.keyword === 'minimum' ? 'least' : 'most'} ${limit}`);
    case 'exclusiveMinimum':
      return is(`must be greater than ${limit}`);
    case 'exclusiveMaximum':
      return is(`must be less than ${limit}`);
    case 'multipleOf':
      return is(`must be a multiple of ${params.multipleOf as number}`);
    case 'const':
      return is(`must be ${JSON.stringify(params.allowedValue)}`);
    case 'enum': {
      const values = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value));
      return is(
        values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(', ')}`,
      );
    }
    case 'pattern':
      return is(`must match the pattern ${String(params.pattern)}`);
    case 'format':
      return is(`must be a valid ${String(params.format)}`);
    case 'minItems':
      return is(limit === 1 ? 'must not be empty' : `must have at least ${limit} items`);
    case 'maxItems':
    case 'items': // `items: false` after `prefixItems`: no more items than those
      return is(`must have at most ${limit} item${limit === 1 ? '' : 's'}`);
    case 'uniqueItems':
      return is(
        `must not contain duplicates (items ${params.j as number} and ${params.i as number})`,
      );
    case 'minProperties':
      return is(limit === 1 ? 'must not be empty' : `must have at least ${limit} fields`);
    case 'maxProperties':
      return is(`must have at most ${limit} field${limit === 1 ? '' : 's'}`);
    case 'contains':
      return is(
        `must contain at least ${(params.minContains as number | undefined) ?? 1} matching item(s)`,
      );
    case 'anyOf':
    case 'oneOf':
      return is(alternatives(schema[error.keyword], error.data, params.passingSchemas));
    case 'not':
      return is('has a value that is not allowed here');
    default:
      return is(error.message ?? 'is not valid');
  }
}

/** `<field> <predicate>`, or `request body <predicate>` when the path is empty (no field). */
export function problem(path: readonly string[], predicate: string): BodyProblem {
  const field = path.join('.');
  return path.length === 0
    ? { message: `request body ${predicate}` }
    : { message: `${field} ${predicate}`, field };
}

/** `must be a string or null` when the alternatives differ by type only, else a general rule. */
function alternatives(branches: unknown, value: unknown, passing: unknown): string {
  if (Array.isArray(passing)) return 'must match exactly one of the allowed forms';
  const types = Array.isArray(branches)
    ? branches.map((branch) => (branch as Schema)?.type).flat()
    : [];
  const only = (branch: unknown) => Object.keys(branch as Schema).every((key) => key === 'type');
  if (
    types.length > 0 &&
    types.every((type) => typeof type === 'string' && !matchesType(type, value)) &&
    (branches as unknown[]).every(only)
  )
    return `must be ${types.map((type) => TYPES[type as string] ?? type).join(' or ')}`;
  return 'does not match any of the allowed forms';
}

function matchesType(type: string, value: unknown): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'null') return value === null;
  if (type === 'array') return Array.isArray(value);
  if (type === 'object')
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}
