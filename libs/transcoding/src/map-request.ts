import { Enum, Type, type Field } from 'protobufjs';
import { fieldByJsonKey, fieldFromJson, fromProtoJson } from './proto-json';
import type { HttpBinding } from './read-http-rules';
import { TranscodingError } from './transcoding-error';
import { isScalarLikeWellKnown } from './well-known-json';

/** What an HTTP request brings to a binding; `query` as Fastify or URLSearchParams gives it. */
export interface HttpRequestParts {
  /** From `binding.template.match(path)`. */
  pathVariables: Record<string, string>;
  query?: URLSearchParams | Record<string, string | readonly string[] | undefined>;
  /** The parsed JSON body (null for a JSON null); undefined when there is none. */
  body?: unknown;
}

type Binding = Pick<HttpBinding, 'requestType' | 'body'>;

/**
 * The request message as a plain object for `requestType.fromObject`, per google/api/http.proto:
 * `body: "*"` - the whole body is the message and the query string must be empty; `body: "f"` -
 * the body is field f and the other fields come from the query string; no body - every field
 * not in the path comes from the query string (repeated by repeating the parameter, nested by
 * dotted names). Path variables are set last and win over a value of the body or the query string.
 */
export function mapRequest(binding: Binding, parts: HttpRequestParts): Record<string, unknown> {
  const type = binding.requestType;
  const message = bodyOf(binding, parts.body);
  const query = entriesOf(parts.query);
  if (binding.body === '*' && query.length > 0) {
    throw new TranscodingError(
      query[0][0],
      'this route takes every field from the body, not the query string',
    );
  }
  const grouped = new Map<string, string[]>();
  for (const [k, v] of query) grouped.set(k, [...(grouped.get(k) ?? []), v]);
  for (const [name, values] of grouped) {
    const target = resolveLeaf(type, name);
    if (binding.body && target.path[0] === binding.body) {
      throw new TranscodingError(name, 'this field comes from the body');
    }
    if (!target.field.repeated && values.length > 1) {
      throw new TranscodingError(name, 'a single-valued field is given more than once');
    }
    const json = target.field.repeated
      ? values.map((v) => textToJson(target.field, v))
      : textToJson(target.field, values[0]);
    setAt(message, target, fieldFromJson(target.field, json, name), name, false);
  }
  for (const [name, text] of Object.entries(parts.pathVariables)) {
    const target = resolveLeaf(type, name);
    setAt(
      message,
      target,
      fieldFromJson(target.field, textToJson(target.field, text), name),
      name,
      true,
    );
  }
  return message;
}

function bodyOf(binding: Binding, body: unknown): Record<string, unknown> {
  const empty =
    body === undefined ||
    body === null ||
    (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);
  // No body at all is the empty message; a JSON null is no message.
  if (binding.body === '*')
    return fromProtoJson(binding.requestType, body === undefined ? {} : body);
  if (binding.body === undefined) {
    if (!empty) throw new TranscodingError('', 'this route takes no request body');
    return {};
  }
  if (body === undefined) return {};
  const field = binding.requestType.fields[binding.body];
  return { [field.name]: fieldFromJson(field, body, field.name) };
}

function entriesOf(query: HttpRequestParts['query']): [string, string][] {
  if (query === undefined) return [];
  if (query instanceof URLSearchParams) return [...query.entries()];
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    for (const one of typeof v === 'string' ? [v] : v) out.push([k, one]);
  }
  return out;
}

/** A dotted name (JSON or .proto names) to its field and the .proto names on the way there. */
function resolveLeaf(type: Type, name: string): { field: Field; path: string[] } {
  const path: string[] = [];
  let current = type;
  const steps = name.split('.');
  for (const [i, step] of steps.entries()) {
    const field = fieldByJsonKey(current, step);
    if (!field) throw new TranscodingError(name, `unknown field of ${type.name}`);
    field.resolve();
    path.push(field.name);
    const message = field.resolvedType instanceof Type ? field.resolvedType : undefined;
    if (i === steps.length - 1) {
      if (field.map || (message && !isScalarLikeWellKnown(message))) {
        throw new TranscodingError(
          name,
          'a message or map field cannot be set from one text value; set its fields',
        );
      }
      return { field, path };
    }
    if (!message || field.repeated || isScalarLikeWellKnown(message)) {
      throw new TranscodingError(name, `${field.name} has no fields to set`);
    }
    current = message;
  }
  throw new TranscodingError(name, 'empty field name');
}

// A path or query value is text; the JSON mapping takes the same text for every type but these.
function textToJson(field: Field, text: string): unknown {
  if (field.type === 'bool' || field.resolvedType?.fullName === '.google.protobuf.BoolValue') {
    return text === 'true' ? true : text === 'false' ? false : text;
  }
  if (field.resolvedType instanceof Enum && /^-?\d+$/.test(text)) return Number(text);
  return text;
}

function setAt(
  message: Record<string, unknown>,
  { field, path }: { field: Field; path: string[] },
  value: unknown,
  name: string,
  fromPath: boolean,
): void {
  let node = message;
  for (const step of path.slice(0, -1)) {
    node[step] ??= {};
    node = node[step] as Record<string, unknown>;
  }
  // The path wins over the body and the query string, as grpc-gateway reads google.api.http:
  // an update may carry its resource whole, name included (docs/adr/0007-grpc-json-transcoding.md).
  if (Object.hasOwn(node, field.name) && !fromPath) throw new TranscodingError(name, 'given twice');
  const rival = field.partOf?.fieldsArray.find((f) => f !== field && Object.hasOwn(node, f.name));
  if (rival) {
    throw new TranscodingError(name, `oneof ${field.partOf?.name} is already set by ${rival.name}`);
  }
  node[field.name] = value;
}
