import { Namespace, Service, Type, type Field, type Method, type Root } from 'protobufjs';
import { parsePathTemplate, type PathTemplate } from './path-template';
import { HttpRuleError } from './transcoding-error';
import { isScalarLikeWellKnown } from './well-known-json';

const VERBS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** One HTTP route of a gRPC method: the main `google.api.http` rule or an additional binding. */
export interface HttpBinding {
  /** Full service name, e.g. 'userverify.UserVerify'. */
  service: string;
  method: string;
  /** The gRPC call path, e.g. '/userverify.UserVerify/VerifyUser'. */
  grpcPath: string;
  verb: (typeof VERBS)[number] | 'custom';
  /** The HTTP method to route: GET, PUT, POST, DELETE, PATCH or a custom rule's kind. */
  httpMethod: string;
  template: PathTemplate;
  /** '*' (the whole body is the message), a top-level field name, or undefined (no body). */
  body: string | undefined;
  /** A top-level field of the reply sent as the whole response body, or undefined. */
  responseBody: string | undefined;
  /** The caller answers 501 or streams NDJSON. */
  serverStreaming: boolean;
  requestType: Type;
  responseType: Type;
}

/** A method that has no HTTP mapping at all, and why. */
export interface RefusedMethod {
  grpcPath: string;
  reason: string;
}

export interface HttpRules {
  bindings: HttpBinding[];
  refused: RefusedMethod[];
}

interface RawRule {
  get?: string;
  put?: string;
  post?: string;
  delete?: string;
  patch?: string;
  custom?: { kind?: string; path?: string };
  body?: string;
  response_body?: string;
  additional_bindings?: RawRule | RawRule[];
}

/**
 * The HTTP bindings of every service in `root`, from the methods' `google.api.http` options. A
 * method without the option yields nothing; client- and bidi-streaming methods are refused. A
 * malformed rule throws HttpRuleError naming the method.
 */
export function readHttpRules(root: Root): HttpRules {
  const rules: HttpRules = { bindings: [], refused: [] };
  for (const service of servicesOf(root)) {
    const serviceName = service.fullName.slice(1);
    for (const method of service.methodsArray) {
      method.resolve();
      const grpcPath = `/${serviceName}/${method.name}`;
      if (method.requestStream) {
        rules.refused.push({
          grpcPath,
          reason: `${method.responseStream ? 'bidi' : 'client'}-streaming methods cannot be mapped to one HTTP request`,
        });
        continue;
      }
      const rule = httpRuleOf(method);
      if (rule === undefined) continue;
      const fail = (why: string): never => {
        throw new HttpRuleError(`${grpcPath}: ${why}`);
      };
      const extra = rule.additional_bindings;
      const all = [rule, ...(extra === undefined ? [] : Array.isArray(extra) ? extra : [extra])];
      for (const [i, raw] of all.entries()) {
        if (i > 0 && raw.additional_bindings !== undefined) {
          fail('additional_bindings cannot nest');
        }
        rules.bindings.push(bindingOf(raw, serviceName, method, grpcPath, fail));
      }
    }
  }
  return rules;
}

function servicesOf(ns: Namespace): Service[] {
  return ns.nestedArray.flatMap((child) =>
    child instanceof Service ? [child] : child instanceof Namespace ? servicesOf(child) : [],
  );
}

// protobufjs parses an option into `parsedOptions`, one entry per `option` statement, so a rule
// written as several `option (google.api.http).x = ...` lines is merged here.
function httpRuleOf(method: Method): RawRule | undefined {
  const options = (method.parsedOptions ?? []) as Record<string, unknown>[];
  const parts = options
    .map((o) => o['(google.api.http)'] as RawRule | undefined)
    .filter((r): r is RawRule => r !== undefined);
  return parts.length === 0 ? undefined : Object.assign({}, ...parts);
}

function bindingOf(
  raw: RawRule,
  service: string,
  method: Method,
  grpcPath: string,
  fail: (why: string) => never,
): HttpBinding {
  const set = VERBS.filter((v) => raw[v] !== undefined);
  if (set.length + (raw.custom ? 1 : 0) !== 1) {
    fail('an http rule needs exactly one of get, put, post, delete, patch or custom');
  }
  const verb = set.length === 1 ? set[0] : 'custom';
  const path = verb === 'custom' ? raw.custom?.path : raw[verb];
  const kind = verb === 'custom' ? raw.custom?.kind : verb.toUpperCase();
  if (!path || !kind) fail('a custom rule needs both kind and path');
  let template: PathTemplate;
  try {
    template = parsePathTemplate(path as string);
  } catch (err) {
    return fail((err as Error).message);
  }
  const requestType = method.resolvedRequestType as Type;
  const responseType = method.resolvedResponseType as Type;
  for (const fieldPath of template.variables) {
    const leaf = resolveFieldPath(requestType, fieldPath);
    if (typeof leaf === 'string') fail(`path variable "${fieldPath}" ${leaf}`);
  }
  if (raw.body && raw.body !== '*' && !requestType.fields[raw.body]) {
    fail(`body "${raw.body}" is not a top-level field of ${requestType.name}`);
  }
  if (raw.response_body && !responseType.fields[raw.response_body]) {
    fail(`response_body "${raw.response_body}" is not a top-level field of ${responseType.name}`);
  }
  return {
    service,
    method: method.name,
    grpcPath,
    verb,
    httpMethod: (kind as string).toUpperCase(),
    template,
    body: raw.body || undefined,
    responseBody: raw.response_body || undefined,
    serverStreaming: method.responseStream === true,
    requestType,
    responseType,
  };
}

/**
 * The field a dotted path names in `type` (each step a singular message field), or why not. Only
 * the exact .proto names are accepted here: templates are written against the .proto.
 */
function resolveFieldPath(type: Type, fieldPath: string): Field | string {
  let current: Type = type;
  const names = fieldPath.split('.');
  for (const [i, name] of names.entries()) {
    const field = current.fields[name];
    if (!field) return `names no field of ${current.name}`;
    field.resolve();
    if (field.repeated || field.map) return 'cannot bind a repeated or map field';
    const message = field.resolvedType instanceof Type ? field.resolvedType : undefined;
    if (i === names.length - 1) {
      return message && !isScalarLikeWellKnown(message)
        ? 'names a message; bind one of its fields'
        : field;
    }
    if (!message) return `steps through "${name}", which is not a message`;
    current = message;
  }
  return 'is empty';
}
