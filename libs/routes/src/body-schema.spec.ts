import { bodySchemaProblem, compileBodySchema } from './body-schema';
import { NOT_AN_OBJECT } from './body-problem';

const check = (schema: Record<string, unknown>, body: unknown) => compileBodySchema(schema)(body);
const object = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  ...extra,
});

describe('compileBodySchema', () => {
  it('passes a body that satisfies the schema', () => {
    const schema = object({ title: { type: 'string', minLength: 1 } });
    expect(check(schema, { title: 'x', other: 1 })).toBeNull();
  });

  it.each([[[1, 2]], [null], ['text'], [7], [undefined]])(
    'answers %j, not a JSON object, without a field',
    (body) => {
      expect(check(object({ a: { type: 'string' } }), body)).toEqual({ message: NOT_AN_OBJECT });
    },
  );

  it('words a wrong body of another type after the body itself', () => {
    expect(check({ type: 'array' }, {})).toEqual({ message: 'request body must be an array' });
  });

  it.each([
    ['string', 1, 'a must be a string'],
    ['integer', 1.5, 'a must be an integer'],
    ['integer', '1', 'a must be an integer'],
    ['number', 'x', 'a must be a number'],
    ['boolean', 'true', 'a must be a boolean'],
    ['object', [], 'a must be an object'],
    ['array', {}, 'a must be an array'],
    [['string', 'null'], 3, 'a must be a string or null'],
  ])('type %j, value %j -> %s', (type, value, message) => {
    expect(check(object({ a: { type } }), { a: value })).toEqual({ message, field: 'a' });
  });

  it.each([
    [{ type: 'string', minLength: 1 }, '', 'a must not be empty'],
    [{ type: 'string', minLength: 3 }, 'ab', 'a must be at least 3 characters'],
    [{ type: 'string', maxLength: 2 }, 'abc', 'a must be at most 2 characters'],
    // UTF-16 units, as zod counts: one emoji is two.
    [{ type: 'string', maxLength: 1 }, '😀', 'a must be at most 1 characters'],
    [{ type: 'integer', minimum: 1, maximum: 9 }, 0, 'a must be between 1 and 9'],
    [{ type: 'integer', minimum: 1, maximum: 9 }, 10, 'a must be between 1 and 9'],
    [{ type: 'number', minimum: 1 }, 0.5, 'a must be at least 1'],
    [{ type: 'number', maximum: 1 }, 1.5, 'a must be at most 1'],
    [{ type: 'number', exclusiveMinimum: 0 }, 0, 'a must be greater than 0'],
    [{ type: 'number', exclusiveMaximum: 1 }, 1, 'a must be less than 1'],
    [{ type: 'integer', multipleOf: 5 }, 7, 'a must be a multiple of 5'],
    [{ enum: ['red', 'green'] }, 'blue', 'a must be one of "red", "green"'],
    [{ enum: ['red'] }, 'blue', 'a must be "red"'],
    [{ const: 1 }, 2, 'a must be 1'],
    [{ type: 'string', pattern: '^[a-z]+$' }, 'A1', 'a must match the pattern ^[a-z]+$'],
    [{ type: 'string', format: 'email' }, 'nobody', 'a must be a valid email'],
    [{ type: 'array', minItems: 1 }, [], 'a must not be empty'],
    [{ type: 'array', minItems: 2 }, [1], 'a must have at least 2 items'],
    [{ type: 'array', maxItems: 1 }, [1, 2], 'a must have at most 1 item'],
    [{ type: 'array', uniqueItems: true }, [1, 1], 'a must not contain duplicates (items 0 and 1)'],
    [{ anyOf: [{ type: 'string' }, { type: 'null' }] }, 1, 'a must be a string or null'],
    [
      { anyOf: [{ type: 'string', minLength: 2 }, { type: 'null' }] },
      'x',
      'a does not match any of the allowed forms',
    ],
    [{ not: { type: 'string' } }, 'x', 'a has a value that is not allowed here'],
  ])('%j, value %j -> %s', (schema, value, message) => {
    expect(check(object({ a: schema }), { a: value })).toEqual({ message, field: 'a' });
  });

  it('names a missing field, and a field the schema does not allow', () => {
    const schema = object({ a: { type: 'string' } }, { additionalProperties: false });
    expect(check(schema, {})).toEqual({ message: 'a is required', field: 'a' });
    expect(check(schema, { a: 'x', b: 1 })).toEqual({ message: 'b is not allowed', field: 'b' });
  });

  it('dots nested fields and array indexes', () => {
    const schema = object({
      user: object({ id: { type: 'integer' } }),
      items: { type: 'array', items: object({ name: { type: 'string' } }) },
    });
    expect(check(schema, { user: { id: 'x' }, items: [] })).toEqual({
      message: 'user.id must be an integer',
      field: 'user.id',
    });
    expect(check(schema, { user: {} })).toEqual({
      message: 'user.id is required',
      field: 'user.id',
    });
    expect(check(schema, { user: { id: 1 }, items: [{ name: 'a' }, { name: 2 }] })).toEqual({
      message: 'items.1.name must be a string',
      field: 'items.1.name',
    });
  });

  it('reports the first problem in property order, a missing field at its place, unknown fields last', () => {
    const schema = object(
      { a: { type: 'string' }, b: { type: 'integer' }, c: { type: 'string' } },
      { additionalProperties: false },
    );
    expect(check(schema, { c: 'x', b: 'not a number' })).toEqual({
      message: 'a is required',
      field: 'a',
    });
    expect(check(schema, { a: 'x', b: 'y', extra: 1 })).toEqual({
      message: 'b must be an integer',
      field: 'b',
    });
    expect(check(schema, { a: 'x', b: 1 })).toEqual({ message: 'c is required', field: 'c' });
    expect(check(schema, { extra: 1, a: 'x', b: 1, c: 'z' })).toEqual({
      message: 'extra is not allowed',
      field: 'extra',
    });
    const nested = object({ first: object({ x: { type: 'string' } }), second: { type: 'string' } });
    expect(check(nested, { first: { x: 1 } })).toEqual({
      message: 'first.x must be a string',
      field: 'first.x',
    });
  });

  it("takes a field named like an object's built-in property as missing when the body lacks it", () => {
    const schema = object({ constructor: { type: 'string' }, toString: { type: 'string' } });
    expect(check(schema, { toString: 'x' })).toEqual({
      message: 'constructor is required',
      field: 'constructor',
    });
    expect(check(schema, { constructor: 'x' })).toEqual({
      message: 'toString is required',
      field: 'toString',
    });
  });

  it('follows local references', () => {
    const schema = {
      type: 'object',
      properties: { a: { $ref: '#/$defs/name' }, b: { $ref: '#/$defs/name' } },
      required: ['a', 'b'],
      $defs: { name: { type: 'string', minLength: 1 } },
    };
    expect(check(schema, { a: 'x', b: '' })).toEqual({
      message: 'b must not be empty',
      field: 'b',
    });
    expect(check(schema, { a: 1 })).toEqual({ message: 'a must be a string', field: 'a' });
  });

  it('keeps property order inside a referenced object', () => {
    const schema = {
      type: 'object',
      properties: { user: { $ref: '#/$defs/user' } },
      $defs: { user: object({ id: { type: 'integer' }, name: { type: 'string' } }) },
    };
    expect(check(schema, { user: { id: 'x' } })).toEqual({
      message: 'user.id must be an integer',
      field: 'user.id',
    });
    expect(check(schema, { user: { id: 1 } })).toEqual({
      message: 'user.name is required',
      field: 'user.name',
    });
  });

  it('does not change the body', () => {
    const schema = object({ a: { type: 'string', default: 'x' } });
    const body = { a: 'y', b: 1 };
    check(schema, body);
    expect(body).toEqual({ a: 'y', b: 1 });
  });
});

describe('bodySchemaProblem', () => {
  it('is undefined for a usable schema, with or without $schema', () => {
    expect(bodySchemaProblem({ type: 'object' })).toBeUndefined();
    expect(
      bodySchemaProblem({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'string',
      }),
    ).toBeUndefined();
  });

  it.each([
    [{ type: 'text' }, /^cannot be compiled: schema is invalid: .*type/],
    [{ type: 'string', minLenght: 1 }, /^cannot be compiled: .*unknown keyword: "minLenght"/],
    [{ type: 'string', format: 'colour' }, /^cannot be compiled: unknown format "colour"/],
    [{ type: 'string', pattern: '(' }, /^cannot be compiled: Invalid regular expression/],
    [
      { $ref: '#/$defs/missing' },
      /^cannot be compiled: can't resolve reference #\/\$defs\/missing/,
    ],
    [
      { $ref: 'https://example.com/s.json' },
      /^\$ref must be local \(#\/...\), not "https:\/\/example.com\/s.json"$/,
    ],
    [{ properties: { a: { $ref: 'other.json#/a' } } }, /^\$ref must be local/],
    [
      { $schema: 'http://json-schema.org/draft-07/schema#' },
      /^\$schema must be https:\/\/json-schema.org\/draft\/2020-12\/schema, not "http:/,
    ],
  ])('%j -> %s, on one line', (schema, message) => {
    const problem = bodySchemaProblem(schema);
    expect(problem).toMatch(message);
    expect(problem).not.toContain('\n');
  });
});
