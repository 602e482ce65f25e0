import { Type } from 'protobufjs';
import { scalarFromJson, scalarToJson } from './json-scalars';
import { TranscodingError } from './transcoding-error';

// The well-known types have their own JSON forms in proto3 (a Timestamp is an RFC 3339 string, a
// wrapper its plain value, a Struct any JSON object...). protobufjs knows none of them but Any
// (and that one only for its own object form), so they are all written here, in one place.

/** How the message codec is called back for the messages inside an Any. */
export interface MessageCodec {
  fromJson(type: Type, json: unknown, at: string): Record<string, unknown>;
  toJson(type: Type, plain: Record<string, unknown>): unknown;
}

interface WellKnown {
  fromJson(json: unknown, at: string, type: Type, codec: MessageCodec): Record<string, unknown>;
  /** `plain` is the message as `toObject({ longs: String, enums: String, bytes: String })` gives it. */
  toJson(plain: Record<string, unknown>, type: Type, codec: MessageCodec): unknown;
}

/** The largest Duration, in seconds either way (google/protobuf/duration.proto: 10,000 years). */
export const MAX_DURATION_SECONDS = 315_576_000_000n;
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n; // 0001-01-01T00:00:00Z
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n; // 9999-12-31T23:59:59Z
/** An RFC 3339 date-time, as a Timestamp takes it (the JSON Schema says the same). */
export const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** A Duration: seconds with up to 9 fractional digits and an `s`. */
export const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
/** One path of a FieldMask, in lowerCamelCase. */
export const FIELD_MASK_PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/;

const timestamp: WellKnown = {
  fromJson(json, at) {
    const m = typeof json === 'string' ? RFC3339.exec(json) : null;
    if (!m)
      throw new TranscodingError(at, `expected an RFC 3339 timestamp, got ${JSON.stringify(json)}`);
    const [, y, mo, d, h, mi, s, frac, sign, oh, om] = m;
    const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
    const back = new Date(ms);
    if (
      back.getUTCMonth() !== +mo - 1 ||
      back.getUTCDate() !== +d ||
      back.getUTCHours() !== +h ||
      back.getUTCMinutes() !== +mi ||
      +s > 59
    ) {
      throw new TranscodingError(at, `${json} is not a valid date and time`);
    }
    // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts them back.
    back.setUTCFullYear(+y);
    const offset = sign ? (sign === '-' ? -1 : 1) * (+oh * 3600 + +om * 60) : 0;
    const seconds = BigInt(Math.floor(back.getTime() / 1000)) - BigInt(offset);
    if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) {
      throw new TranscodingError(at, `${json} is outside years 0001-9999`);
    }
    return { seconds: seconds.toString(), nanos: Number((frac ?? '').padEnd(9, '0')) };
  },
  toJson(plain) {
    const seconds = Number(plain.seconds ?? 0);
    const iso = new Date(seconds * 1000).toISOString(); // e.g. 2017-01-15T01:30:15.000Z
    return `${iso.slice(0, 19)}${fraction(Number(plain.nanos ?? 0))}Z`;
  },
};

const duration: WellKnown = {
  fromJson(json, at) {
    const m = typeof json === 'string' ? DURATION.exec(json) : null;
    if (!m)
      throw new TranscodingError(
        at,
        `expected a duration such as "1.5s", got ${JSON.stringify(json)}`,
      );
    const seconds = BigInt(m[2]);
    if (seconds > MAX_DURATION_SECONDS) throw new TranscodingError(at, `${json} is out of range`);
    const sign = m[1] ? -1 : 1;
    const nanos = Number((m[3] ?? '').padEnd(9, '0'));
    return { seconds: (seconds * BigInt(sign)).toString(), nanos: nanos === 0 ? 0 : sign * nanos };
  },
  toJson(plain) {
    const seconds = BigInt((plain.seconds as string | undefined) ?? '0');
    const nanos = Number(plain.nanos ?? 0);
    const negative = seconds < 0n || nanos < 0;
    const abs = seconds < 0n ? -seconds : seconds;
    return `${negative ? '-' : ''}${abs}${fraction(Math.abs(nanos))}s`;
  },
};

/** 0, 3, 6 or 9 fractional digits, as the JSON mapping prefers. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  return `.${digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits}`;
}

const wrapper: WellKnown = {
  fromJson: (json, at, type) => ({ value: scalarFromJson(type.fields.value.type, json, at) }),
  toJson(plain, type) {
    const value = plain.value;
    if (value !== undefined) return scalarToJson(value);
    const t = type.fields.value.type;
    return t === 'bool' ? false : t === 'string' || t === 'bytes' ? '' : t.endsWith('64') ? '0' : 0;
  },
};

function valueFromJson(json: unknown, at: string): Record<string, unknown> {
  if (json === null) return { nullValue: 0 };
  if (typeof json === 'number') return { numberValue: json };
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) return { listValue: listValue.fromJson(json, at) };
  if (typeof json === 'object') return { structValue: structFromJson(json, at) };
  throw new TranscodingError(at, 'expected a JSON value');
}

function valueToJson(plain: Record<string, unknown>): unknown {
  if (plain.structValue !== undefined)
    return structToJson(plain.structValue as Record<string, unknown>);
  if (plain.listValue !== undefined) return listToJson(plain.listValue as Record<string, unknown>);
  return plain.numberValue ?? plain.stringValue ?? plain.boolValue ?? null;
}

function structFromJson(json: unknown, at: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TranscodingError(at, 'expected a JSON object');
  }
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) fields[k] = valueFromJson(v, at ? `${at}.${k}` : k);
  return { fields };
}

function structToJson(plain: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = (plain.fields ?? {}) as Record<string, Record<string, unknown>>;
  for (const [k, v] of Object.entries(fields)) out[k] = valueToJson(v);
  return out;
}

function listToJson(plain: Record<string, unknown>): unknown[] {
  return ((plain.values ?? []) as Record<string, unknown>[]).map(valueToJson);
}

const listValue = {
  fromJson(json: unknown, at: string): Record<string, unknown> {
    if (!Array.isArray(json)) throw new TranscodingError(at, 'expected a JSON array');
    return { values: json.map((v, i) => valueFromJson(v, `${at}[${i}]`)) };
  },
  toJson: listToJson,
};

const fieldMask: WellKnown = {
  fromJson(json, at) {
    if (typeof json !== 'string')
      throw new TranscodingError(at, 'expected a field mask string such as "a.b,c"');
    const paths = json === '' ? [] : json.split(',');
    for (const p of paths) {
      if (!FIELD_MASK_PATH.test(p)) {
        throw new TranscodingError(at, `"${p}" is not a lowerCamelCase field path`);
      }
    }
    return { paths: paths.map((p) => p.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)) };
  },
  toJson: (plain) =>
    ((plain.paths ?? []) as string[])
      .map((p) => p.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
      .join(','),
};

// Any is cheap with protobufjs: the named type is looked up in the same Root and encoded/decoded.
const any: WellKnown = {
  fromJson(json, at, type, codec) {
    const url = (json as Record<string, unknown> | null)?.['@type'];
    if (typeof url !== 'string' || typeof json !== 'object') {
      throw new TranscodingError(at, 'expected an object with "@type"');
    }
    const inner = lookupAnyType(type, url, at);
    const { '@type': _, ...rest } = json as Record<string, unknown>;
    const plain = WELL_KNOWN[inner.fullName]
      ? codec.fromJson(inner, rest.value, `${at}.value`)
      : codec.fromJson(inner, rest, at);
    return { type_url: url, value: inner.encode(inner.fromObject(plain)).finish() };
  },
  toJson(plain, type, codec) {
    const url = plain.type_url as string | undefined;
    if (!url) return {};
    const inner = lookupAnyType(type, url, '');
    const message = inner.decode(Buffer.from((plain.value as string | undefined) ?? '', 'base64'));
    const json = codec.toJson(inner, inner.toObject(message, TO_OBJECT));
    return WELL_KNOWN[inner.fullName]
      ? { '@type': url, value: json }
      : { '@type': url, ...(json as object) };
  },
};

function lookupAnyType(anyType: Type, url: string, at: string): Type {
  const name = url.slice(url.lastIndexOf('/') + 1);
  const found = anyType.root.lookup(name);
  if (!(found instanceof Type)) {
    throw new TranscodingError(
      at,
      `Any names type "${name}", which the loaded .proto files do not define`,
    );
  }
  return found;
}

/** The `toObject` options every JSON output starts from. */
export const TO_OBJECT = { longs: String, enums: String, bytes: String } as const;

const WRAPPERS = [
  'Double',
  'Float',
  'Int64',
  'UInt64',
  'Int32',
  'UInt32',
  'Bool',
  'String',
  'Bytes',
];

const WELL_KNOWN: Record<string, WellKnown> = {
  '.google.protobuf.Timestamp': timestamp,
  '.google.protobuf.Duration': duration,
  '.google.protobuf.Struct': { fromJson: structFromJson, toJson: structToJson },
  '.google.protobuf.Value': { fromJson: valueFromJson, toJson: valueToJson },
  '.google.protobuf.ListValue': listValue,
  '.google.protobuf.FieldMask': fieldMask,
  '.google.protobuf.Any': any,
  ...Object.fromEntries(WRAPPERS.map((w) => [`.google.protobuf.${w}Value`, wrapper])),
};

/** The special JSON form of a well-known type, or undefined for an ordinary message (Empty is one). */
export function wellKnownJson(type: Type): WellKnown | undefined {
  return WELL_KNOWN[type.fullName];
}

const SCALAR_LIKE = new Set([
  '.google.protobuf.Timestamp',
  '.google.protobuf.Duration',
  '.google.protobuf.FieldMask',
  ...WRAPPERS.map((w) => `.google.protobuf.${w}Value`),
]);

/** Well-known types written as one JSON string or scalar: a path variable or query value sets them. */
export function isScalarLikeWellKnown(type: Type): boolean {
  return SCALAR_LIKE.has(type.fullName);
}
