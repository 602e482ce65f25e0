import type { Enum } from 'protobufjs';
import { BASE64, FLOAT_MAX, INT_RANGES } from './json-scalars';

// JSON Schemas (draft 2020-12) of scalar and enum values in the proto3 JSON mapping, as
// json-scalars.ts checks them on the way in ('input') and writes them on the way out ('output').

export type JsonSchema = Record<string, unknown>;

/** Which side of the transcoder a schema describes: what it accepts, or what it produces. */
export type SchemaIo = 'input' | 'output';

/** A regular expression's source with `\d` spelled `[0-9]` (see decimalRangePattern). */
export function asciiDigits(source: string): string {
  return source.replace(/\\d/g, '[0-9]');
}

/**
 * The schema of one scalar value of `type` (a .proto scalar name). Input: integers as JSON numbers
 * or decimal strings (leading zeros allowed) within the type's range, floats as numbers, numeric
 * strings or "NaN" / "Infinity" / "-Infinity", bytes as standard or URL-safe base64. Output: 64-bit
 * integers as decimal strings, bytes as standard base64, non-finite floats as those three strings.
 */
export function scalarJsonSchema(type: string, io: SchemaIo): JsonSchema {
  const range = INT_RANGES[type];
  if (range) {
    const wide = type.endsWith('64');
    // 64-bit integers as JSON numbers only within 2^53 (json-scalars.ts refuses larger ones, which
    // JSON.parse has rounded): bounds that print exactly, unlike 2^63 (9223372036854776000).
    const number = wide
      ? {
          type: 'integer',
          minimum: range.min < 0n ? Number.MIN_SAFE_INTEGER : 0,
          maximum: Number.MAX_SAFE_INTEGER,
        }
      : { type: 'integer', minimum: Number(range.min), maximum: Number(range.max) };
    if (io === 'output') {
      return wide
        ? {
            type: 'string',
            pattern: range.min < 0n ? '^(?:0|-?[1-9][0-9]*)$' : '^(?:0|[1-9][0-9]*)$',
          }
        : number;
    }
    return {
      anyOf: [number, { type: 'string', pattern: decimalRangePattern(range.min, range.max) }],
      ...(wide
        ? { description: `${type}: send a string beyond 2^53, JSON numbers lose precision` }
        : {}),
    };
  }
  switch (type) {
    case 'double':
    case 'float': {
      const number =
        type === 'float'
          ? { type: 'number', minimum: -FLOAT_MAX, maximum: FLOAT_MAX }
          : { type: 'number' };
      const special = { enum: ['NaN', 'Infinity', '-Infinity'] };
      return io === 'output'
        ? { anyOf: [number, special] }
        : { anyOf: [number, special, { type: 'string', pattern: NUMERIC_STRING }] };
    }
    case 'bool':
      return { type: 'boolean' };
    case 'string':
      return { type: 'string' };
    case 'bytes':
      return io === 'output'
        ? { type: 'string', contentEncoding: 'base64', pattern: STANDARD_BASE64 }
        : { type: 'string', contentEncoding: 'base64', pattern: asciiDigits(BASE64.source) };
    default:
      throw new Error(`unsupported scalar type ${type}`);
  }
}

/**
 * An enum value. Input: a name, or any int32 (proto3 enums are open). Output: a name, or the number
 * when the value has no name in the .proto the gateway loaded.
 */
export function enumJsonSchema(type: Enum, io: SchemaIo): JsonSchema {
  const names = { type: 'string', enum: Object.keys(type.values) };
  const number =
    io === 'input'
      ? { type: 'integer', minimum: -(2 ** 31), maximum: 2 ** 31 - 1 }
      : { type: 'integer' };
  return { anyOf: [names, number] };
}

// What json-scalars' toNumber takes as a string besides the three named ones: whatever JavaScript's
// Number() reads as finite (an exponent that overflows to Infinity is the one case not excluded).
const NUMERIC_STRING =
  '^\\s*(?:[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+)\\s*$';

const STANDARD_BASE64 = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

/**
 * The decimal strings (`-?[0-9]+`, leading zeros allowed) whose value lies in [min, max]. Patterns
 * spell digits `[0-9]`: in some regex dialects validators use (Python's), `\d` is any Unicode digit.
 */
export function decimalRangePattern(min: bigint, max: bigint): string {
  const negative = min < 0n ? `-${upTo(-min)}` : '-0+';
  return `^(?:${negative}|${upTo(max)})$`;
}

/** 0..max with any leading zeros: every shorter number, or digit by digit below max's, or max. */
export function upTo(max: bigint): string {
  const digits = max.toString();
  const length = digits.length;
  const alternatives = length > 1 ? [`[0-9]{1,${length - 1}}`] : [];
  for (let i = 0; i < length; i++) {
    const digit = Number(digits[i]);
    const rest = length - 1 - i;
    if (digit > 0) {
      const below = digit === 1 ? '0' : `[0-${digit - 1}]`;
      const any = rest === 0 ? '' : rest === 1 ? '[0-9]' : `[0-9]{${rest}}`;
      alternatives.push(`${digits.slice(0, i)}${below}${any}`);
    }
  }
  alternatives.push(digits);
  return `0*(?:${alternatives.join('|')})`;
}
