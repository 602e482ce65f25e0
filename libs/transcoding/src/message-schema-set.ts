import { Enum, Type, type Field, type MapField } from 'protobufjs';
import { jsonNameOf } from './proto-json';
import {
  asciiDigits,
  decimalRangePattern,
  enumJsonSchema,
  scalarJsonSchema,
  type JsonSchema,
  type SchemaIo,
  upTo,
} from './scalar-json-schema';
import { FIELD_MASK_PATH, MAX_DURATION_SECONDS, RFC3339 } from './well-known-json';
import { INT_RANGES } from './json-scalars';

// JSON Schemas (draft 2020-12) of messages in the proto3 JSON mapping exactly as proto-json.ts and
// well-known-json.ts treat them: 'input' is what fromProtoJson accepts, 'output' what toProtoJson
// and fieldToJson produce. The two differ: input takes both field names, null for "not set", and
// looser scalars; output has the lowerCamelCase names only and leaves default values out.

export interface MessageSchemaSetOptions {
  io: SchemaIo;
  /** The `$ref` of a message's schema by its full name (no leading dot); default `#/$defs/<name>`. */
  refOf?: (name: string) => string;
}

/**
 * Schemas of messages, fields and values that share one set of definitions: every ordinary message
 * is defined once in `defs` (by full name) and referred to by `$ref`, so recursive messages work;
 * well-known types are written inline in their special JSON form.
 */
export class MessageSchemaSet {
  /** The definitions referred to so far, by full name without the leading dot. */
  readonly defs: Record<string, JsonSchema> = {};
  readonly io: SchemaIo;
  private readonly refOf: (name: string) => string;

  constructor(options: MessageSchemaSetOptions) {
    this.io = options.io;
    this.refOf = options.refOf ?? ((name) => `#/$defs/${name}`);
  }

  /** A message: its well-known JSON form inline, else a `$ref` to its definition. */
  message(type: Type): JsonSchema {
    const special = this.wellKnown(type);
    if (special) return special;
    const name = type.fullName.slice(1);
    if (!(name in this.defs)) {
      this.defs[name] = {}; // taken before it is built: a recursive field refers to it
      this.defs[name] = this.definition(type);
    }
    return { $ref: this.refOf(name) };
  }

  /** A field's value: an array for a repeated field, an object for a map; never null. */
  field(field: Field): JsonSchema {
    field.resolve();
    if (field.map) {
      const keyType = (field as unknown as MapField).keyType;
      const keys = this.mapKey(keyType);
      return {
        type: 'object',
        ...(keys ? { propertyNames: keys } : {}),
        additionalProperties: this.value(field),
      };
    }
    if (field.repeated) return { type: 'array', items: this.value(field) };
    return this.value(field);
  }

  /**
   * The field as a path or query parameter, whose values are text: integers (and enums by number)
   * as decimal digits only, where the JSON schema's `integer` would also allow `1.0`; the rest as
   * `field` says (mapRequest reads the text of each as that JSON value).
   */
  parameter(field: Field): JsonSchema {
    field.resolve();
    const type = field.resolvedType;
    const range = type === null ? INT_RANGES[field.type] : undefined;
    const text = (min: bigint, max: bigint) => ({
      type: 'string',
      pattern: decimalRangePattern(min, max),
    });
    const one = range
      ? text(range.min, range.max)
      : type instanceof Enum && type.fullName !== '.google.protobuf.NullValue'
        ? {
            anyOf: [
              { type: 'string', enum: Object.keys(type.values) },
              text(INT_RANGES.int32.min, INT_RANGES.int32.max),
            ],
          }
        : undefined;
    if (!one) return this.field(field);
    return field.repeated ? { type: 'array', items: one } : one;
  }

  /** One value of the field (an element, for repeated and map fields). */
  value(field: Field): JsonSchema {
    field.resolve();
    const type = field.resolvedType;
    if (type instanceof Type) return this.message(type);
    if (type instanceof Enum) {
      if (type.fullName === '.google.protobuf.NullValue') {
        return this.io === 'output'
          ? { type: 'null' }
          : { anyOf: [{ type: 'null' }, enumJsonSchema(type, 'input')] };
      }
      return enumJsonSchema(type, this.io);
    }
    return scalarJsonSchema(field.type, this.io);
  }

  /** The names a field goes by in JSON: the JSON name, and on input also the .proto name. */
  namesOf(field: Field): string[] {
    const json = jsonNameOf(field);
    return this.io === 'input' && field.name !== json ? [json, field.name] : [json];
  }

  private definition(type: Type): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const groups: Field[][] = [];
    const oneofs = new Map<string, Field[]>();
    for (const field of type.fieldsArray) {
      field.resolve();
      const schema = this.field(field);
      for (const name of this.namesOf(field)) {
        properties[name] = this.io === 'input' && !takesNull(field) ? nullable(schema) : schema;
      }
      // A oneof takes one member, by whichever name; a plain field one of its two names.
      const oneof = field.partOf?.name;
      const group = oneof === undefined ? undefined : oneofs.get(oneof);
      if (group) group.push(field);
      else {
        groups.push([field]);
        if (oneof !== undefined) oneofs.set(oneof, groups[groups.length - 1]);
      }
    }
    const exclusive = groups
      .map((fields) => this.atMostOne(fields))
      .filter((schema) => schema !== undefined);
    return {
      type: 'object',
      title: type.fullName.slice(1),
      properties,
      additionalProperties: false,
      ...(exclusive.length > 0 ? { allOf: exclusive } : {}),
    };
  }

  /**
   * No two of the fields' names set at once. On input a null leaves a oneof member unset, but a
   * field's second name is refused even when null (proto-json.ts checks "given twice" first).
   */
  private atMostOne(fields: Field[]): JsonSchema | undefined {
    const names = fields.flatMap((field) => this.namesOf(field).map((name) => ({ name, field })));
    const pairs: JsonSchema[] = [];
    const set = (entry: { name: string; field: Field }) =>
      this.io === 'input' && !takesNull(entry.field) ? { [entry.name]: NOT_NULL } : {};
    for (const [i, a] of names.entries()) {
      for (const b of names.slice(i + 1)) {
        const properties = a.field === b.field ? {} : { ...set(a), ...set(b) };
        pairs.push({
          required: [a.name, b.name],
          ...(Object.keys(properties).length > 0 ? { properties } : {}),
        });
      }
    }
    return pairs.length === 0 ? undefined : { not: { anyOf: pairs } };
  }

  private mapKey(keyType: string): JsonSchema | undefined {
    if (keyType === 'string') return undefined;
    if (keyType === 'bool') return { enum: ['true', 'false'] };
    const range = INT_RANGES[keyType];
    return this.io === 'input'
      ? { pattern: decimalRangePattern(range.min, range.max) }
      : { pattern: '^-?[0-9]+$' };
  }

  private wellKnown(type: Type): JsonSchema | undefined {
    const name = type.fullName;
    const output = this.io === 'output';
    switch (name) {
      case '.google.protobuf.Timestamp':
        return {
          type: 'string',
          format: 'date-time',
          pattern: output ? TIMESTAMP_OUT : asciiDigits(RFC3339.source),
        };
      case '.google.protobuf.Duration':
        return { type: 'string', pattern: output ? DURATION_OUT : DURATION_IN };
      case '.google.protobuf.FieldMask': {
        const path = FIELD_MASK_PATH.source.slice(1, -1);
        return { type: 'string', pattern: `^(?:${path}(?:,${path})*)?$` };
      }
      case '.google.protobuf.Struct':
        return { type: 'object' };
      case '.google.protobuf.ListValue':
        return { type: 'array' };
      case '.google.protobuf.Value':
        return {};
      case '.google.protobuf.Any':
        return {
          type: 'object',
          properties: { '@type': { type: 'string' } },
          ...(output ? {} : { required: ['@type'] }),
        };
    }
    if (/^\.google\.protobuf\.[A-Za-z0-9]+Value$/.test(name) && type.fields.value) {
      return scalarJsonSchema(type.fields.value.type, this.io);
    }
    return undefined;
  }
}

const TIMESTAMP_OUT = asciiDigits(
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.(?:\\d{3}|\\d{6}|\\d{9}))?Z$',
);
const DURATION_OUT = asciiDigits('^-?\\d+(?:\\.(?:\\d{3}|\\d{6}|\\d{9}))?s$');
/** DURATION with the seconds bounded as well-known-json.ts bounds them (10,000 years). */
const DURATION_IN = `^-?${upTo(MAX_DURATION_SECONDS)}(?:\\.[0-9]{1,9})?s$`;

const NOT_NULL = { not: { type: 'null' } };

/** Fields whose JSON null is a value (a Value, a NullValue) rather than "not set". */
function takesNull(field: Field): boolean {
  const name = field.resolvedType?.fullName;
  return name === '.google.protobuf.Value' || name === '.google.protobuf.NullValue';
}

/** The schema, or null: on input a null field is "not set" and left out. */
function nullable(schema: JsonSchema): JsonSchema {
  if (typeof schema.type === 'string' && !('enum' in schema)) {
    return { ...schema, type: [schema.type, 'null'] };
  }
  if (Array.isArray(schema.anyOf)) return { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  return { anyOf: [schema, { type: 'null' }] };
}
