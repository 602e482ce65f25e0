import { Enum, Message, Type, type Field, type MapField } from 'protobufjs';
import { enumFromJson, scalarFromJson, scalarToJson } from './json-scalars';
import { TranscodingError } from './transcoding-error';
import { TO_OBJECT, wellKnownJson, type MessageCodec } from './well-known-json';

// The proto3 JSON mapping (https://protobuf.dev/programming-guides/json/) over protobufjs: input is
// checked here and handed to `fromObject` as a plain object with the .proto field names; output
// starts from `toObject` and is renamed to lowerCamelCase with proto3 defaults left out.

/**
 * The plain object `type.fromObject` takes, from a client's JSON (lowerCamelCase or .proto names).
 * Throws a TranscodingError naming the field for an unknown field or a value of the wrong type.
 * `at` prefixes field names in errors (the caller's position in a larger document).
 */
export function fromProtoJson(type: Type, json: unknown, at = ''): Record<string, unknown> {
  const special = wellKnownJson(type);
  if (special) return special.fromJson(json, at, type, CODEC);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TranscodingError(at, `expected a JSON object (${type.name})`);
  }
  const out: Record<string, unknown> = {};
  const oneofs = new Map<string, string>();
  // By .proto name: a field given by both its names is refused even when a value is null.
  const given = new Set<string>();
  for (const [key, value] of Object.entries(json)) {
    const here = at ? `${at}.${key}` : key;
    const field = fieldByJsonKey(type, key);
    if (!field) throw new TranscodingError(here, `unknown field of ${type.name}`);
    if (given.has(field.name))
      throw new TranscodingError(here, `field ${field.name} is given twice`);
    given.add(field.name);
    if (value === null && !takesNull(field)) continue;
    const oneof = field.partOf?.name;
    if (oneof !== undefined) {
      const other = oneofs.get(oneof);
      if (other) throw new TranscodingError(here, `oneof ${oneof} is already set by ${other}`);
      oneofs.set(oneof, key);
    }
    out[field.name] = fieldFromJson(field, value, here);
  }
  return out;
}

/** One field's value from JSON (an array for a repeated field, an object for a map). */
export function fieldFromJson(field: Field, json: unknown, at: string): unknown {
  field.resolve();
  if (field.map) {
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new TranscodingError(at, 'expected a JSON object (map)');
    }
    const keyType = (field as unknown as MapField).keyType;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(json)) {
      const key =
        keyType === 'bool'
          ? boolKey(k, at)
          : keyType === 'string'
            ? k
            : String(scalarFromJson(keyType, k, `${at}.${k}`));
      out[key] = valueFromJson(field, v, `${at}.${k}`);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(json)) throw new TranscodingError(at, 'expected a JSON array');
    return json.map((v, i) => valueFromJson(field, v, `${at}[${i}]`));
  }
  return valueFromJson(field, json, at);
}

function valueFromJson(field: Field, json: unknown, at: string): unknown {
  const type = field.resolvedType;
  if (json === null && !takesNull(field))
    throw new TranscodingError(at, 'null is not allowed here');
  if (type instanceof Enum) {
    return type.fullName === '.google.protobuf.NullValue' && json === null
      ? 0
      : enumFromJson(type, json, at);
  }
  if (type instanceof Type) return fromProtoJson(type, json, at);
  return scalarFromJson(field.type, json, at);
}

/**
 * The proto3 JSON of a reply: a protobufjs Message, or a plain object `fromObject` accepts (with
 * the .proto field names, as @grpc/proto-loader's `keepCase` gives them).
 */
export function toProtoJson(type: Type, message: Message | Record<string, unknown>): unknown {
  const decoded = message instanceof Message ? message : type.fromObject(message);
  return messageToJson(type, type.toObject(decoded, TO_OBJECT));
}

/** One field of a reply in JSON, its default when unset: what `response_body` sends. */
export function fieldToJson(
  type: Type,
  fieldName: string,
  message: Message | Record<string, unknown>,
): unknown {
  const field = type.fields[fieldName];
  field.resolve();
  const decoded = message instanceof Message ? message : type.fromObject(message);
  const plain = type.toObject(decoded, { ...TO_OBJECT, defaults: true });
  const value = plain[field.name];
  if (field.map) return mapToJson(field, value as Record<string, unknown>);
  if (field.repeated) return (value as unknown[]).map((v) => valueToJson(field, v));
  if (value === null || value === undefined) {
    return field.resolvedType instanceof Type ? messageToJson(field.resolvedType, {}) : null;
  }
  return valueToJson(field, value);
}

function messageToJson(type: Type, plain: Record<string, unknown>): unknown {
  const special = wellKnownJson(type);
  if (special) return special.toJson(plain, type, CODEC);
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const value = plain[field.name];
    if (value === undefined || value === null) continue;
    const name = jsonNameOf(field);
    if (field.map) {
      if (Object.keys(value as object).length > 0)
        out[name] = mapToJson(field, value as Record<string, unknown>);
    } else if (field.repeated) {
      if ((value as unknown[]).length > 0)
        out[name] = (value as unknown[]).map((v) => valueToJson(field, v));
    } else if (hasPresence(field) || !isDefault(field, value)) {
      out[name] = valueToJson(field, value);
    }
  }
  return out;
}

function mapToJson(field: Field, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value ?? {})) out[k] = valueToJson(field, v);
  return out;
}

function valueToJson(field: Field, value: unknown): unknown {
  const type = field.resolvedType;
  if (type instanceof Type) return messageToJson(type, value as Record<string, unknown>);
  if (type instanceof Enum && type.fullName === '.google.protobuf.NullValue') return null;
  return scalarToJson(value);
}

// proto3 leaves out fields at their default, except those with explicit presence (messages,
// oneof members and `optional` scalars, which protobufjs models as a one-field oneof).
function hasPresence(field: Field): boolean {
  return field.partOf !== null || field.resolvedType instanceof Type;
}

function isDefault(field: Field, value: unknown): boolean {
  if (field.resolvedType instanceof Enum)
    return value === 0 || field.resolvedType.values[value as string] === 0;
  return value === 0 || value === '0' || value === '' || value === false;
}

function takesNull(field: Field): boolean {
  const name = field.resolvedType?.fullName;
  return name === '.google.protobuf.Value' || name === '.google.protobuf.NullValue';
}

function boolKey(k: string, at: string): string {
  if (k !== 'true' && k !== 'false')
    throw new TranscodingError(`${at}.${k}`, 'expected a map key true or false');
  return k;
}

/** The field's JSON name: its json_name option, else the .proto name in lowerCamelCase. */
export function jsonNameOf(field: Field): string {
  const option = field.options?.json_name as string | undefined;
  return option ?? field.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const byJsonKey = new WeakMap<Type, Map<string, Field>>();

/** A field by its .proto name or its JSON name. */
export function fieldByJsonKey(type: Type, key: string): Field | undefined {
  let names = byJsonKey.get(type);
  if (!names) {
    names = new Map();
    for (const f of type.fieldsArray) {
      names.set(f.name, f);
      names.set(jsonNameOf(f), f);
    }
    byJsonKey.set(type, names);
  }
  return names.get(key);
}

const CODEC: MessageCodec = {
  fromJson: fromProtoJson,
  toJson: (type, plain) => messageToJson(type, plain),
};
