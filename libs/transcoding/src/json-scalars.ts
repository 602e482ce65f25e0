import type { Enum } from 'protobufjs';
import { TranscodingError } from './transcoding-error';

// Scalar and enum values in the proto3 JSON mapping (https://protobuf.dev/programming-guides/json/).
// protobufjs's `fromObject` coerces instead of checking (`"abc"` becomes 0 for an int32, an unknown
// enum name is dropped), so the checks a client deserves a 400 for are made here.

const INT32 = { min: -(2n ** 31n), max: 2n ** 31n - 1n };
const UINT32 = { min: 0n, max: 2n ** 32n - 1n };
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };
/** Range of each integer type, by its .proto name. */
export const INT_RANGES: Record<string, { min: bigint; max: bigint }> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
  int64: INT64,
  sint64: INT64,
  sfixed64: INT64,
  uint64: UINT64,
  fixed64: UINT64,
};
/** The largest finite `float`. */
export const FLOAT_MAX = 3.4028234663852886e38;
/** Standard or URL-safe base64, padding optional: what `bytes` takes (the JSON Schema says the same). */
export const BASE64 =
  /^(?:[A-Za-z0-9+/\-_]{4})*(?:[A-Za-z0-9+/\-_]{2}(?:==)?|[A-Za-z0-9+/\-_]{3}=?)?$/;

/**
 * A JSON value of a scalar field as `fromObject` takes it: numbers for 32-bit integers and floats,
 * decimal strings for 64-bit integers (no precision lost), a Buffer for bytes.
 */
export function scalarFromJson(type: string, json: unknown, at: string): unknown {
  const range = INT_RANGES[type];
  if (range) {
    let n: bigint;
    if (typeof json === 'number' && Number.isInteger(json)) {
      // JSON.parse has already rounded a larger one: 9007199254740993 arrives as ...992.
      if (!Number.isSafeInteger(json)) {
        throw new TranscodingError(
          at,
          `${json} is beyond 2^53, where JSON numbers lose precision: send ${type} as a string`,
        );
      }
      n = BigInt(json);
    } else if (typeof json === 'string' && /^-?\d+$/.test(json)) n = BigInt(json);
    else throw new TranscodingError(at, `expected an integer (${type}), got ${show(json)}`);
    if (n < range.min || n > range.max) {
      throw new TranscodingError(at, `${json} is out of range for ${type}`);
    }
    return range === INT64 || range === UINT64 ? n.toString() : Number(n);
  }
  switch (type) {
    case 'double':
    case 'float': {
      const n = toNumber(json);
      if (n === undefined) throw new TranscodingError(at, `expected a number, got ${show(json)}`);
      if (type === 'float' && Number.isFinite(n) && Math.abs(n) > FLOAT_MAX) {
        throw new TranscodingError(at, `${json} is out of range for float`);
      }
      return n;
    }
    case 'bool':
      if (typeof json !== 'boolean') {
        throw new TranscodingError(at, `expected true or false, got ${show(json)}`);
      }
      return json;
    case 'string':
      if (typeof json !== 'string')
        throw new TranscodingError(at, `expected a string, got ${show(json)}`);
      return json;
    case 'bytes':
      if (typeof json !== 'string' || !BASE64.test(json)) {
        throw new TranscodingError(at, `expected base64 bytes, got ${show(json)}`);
      }
      return Buffer.from(json.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    default:
      throw new TranscodingError(at, `unsupported scalar type ${type}`);
  }
}

/** An enum value by name, or by number (proto3 enums are open). */
export function enumFromJson(type: Enum, json: unknown, at: string): number {
  if (typeof json === 'string') {
    const value = type.values[json];
    if (value === undefined) {
      throw new TranscodingError(at, `"${json}" is not a value of enum ${type.name}`);
    }
    return value;
  }
  if (typeof json === 'number' && Number.isInteger(json) && json >= -(2 ** 31) && json < 2 ** 31) {
    return json;
  }
  throw new TranscodingError(at, `expected an enum name of ${type.name}, got ${show(json)}`);
}

/** The JSON of a scalar as `toObject({ longs: String, bytes: String, enums: String })` gave it. */
export function scalarToJson(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  return value;
}

function toNumber(json: unknown): number | undefined {
  if (typeof json === 'number') return json;
  if (json === 'NaN') return NaN;
  if (json === 'Infinity') return Infinity;
  if (json === '-Infinity') return -Infinity;
  if (typeof json === 'string' && json.trim() !== '' && Number.isFinite(Number(json))) {
    return Number(json);
  }
  return undefined;
}

function show(json: unknown): string {
  return json === null
    ? 'null'
    : Array.isArray(json)
      ? 'an array'
      : typeof json === 'object'
        ? 'an object'
        : JSON.stringify(json);
}
