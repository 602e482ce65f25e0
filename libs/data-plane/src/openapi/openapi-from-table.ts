import { createHash } from 'node:crypto';
import type { HttpMethod, JsonSchema, Route, RouteRedirect, RouteTable } from '@app/routes';
import { MessageSchemaSet } from '@app/transcoding';
import {
  grpcOperationParts,
  type GrpcOperationShape,
  type GrpcSchemaSets,
} from './openapi-grpc-operation';
import {
  ERROR_SCHEMA,
  errorResponses,
  SECURITY_SCHEMES,
  securityOf,
  SUCCESS_HEADERS,
} from '@app/edge';

/**
 * The OpenAPI 3.1 document of a route table: one operation per route and method, named by the
 * route (`operationId` = the route's name, or `<name>.<METHOD>` when it takes several methods:
 * route names are lower case, so the two never collide). Paths: an exact path as it is; a template
 * with its `{variables}` as path parameters; a prefix route as its prefix, marked
 * `x-gateway-path-match: prefix` (every path below it takes the route too, which OpenAPI cannot
 * say). Request bodies: an HTTP route's `bodySchema` (none: any JSON body); a gRPC route's from its
 * messages, through `grpc(route)` (the data plane has the .proto files; undefined: not known).
 * Routes that share a method and OpenAPI path (told apart by host, or exact and prefix on one path)
 * are documented once: the first by name, the others listed in `x-gateway-not-listed`.
 */
export function openApiFromTable(
  table: RouteTable,
  grpc: (route: Route) => GrpcOperationShape | undefined,
): Record<string, unknown> {
  const schemas: GrpcSchemaSets = {
    input: new MessageSchemaSet({ io: 'input', refOf: (name) => componentRef(`${name}.input`) }),
    output: new MessageSchemaSet({ io: 'output', refOf: (name) => componentRef(`${name}.output`) }),
  };
  const components: Record<string, unknown> = { Error: ERROR_SCHEMA };
  const paths: Record<string, Record<string, unknown>> = {};
  const keys = new Map<
    string,
    { key: string; names: readonly string[]; routes: Map<string, string> }
  >();
  const notListed: Record<string, string>[] = [];
  for (const route of table.routes) {
    const { key, sameAs, variables } = pathOf(route);
    const known = keys.get(sameAs) ?? { key, names: variables, routes: new Map<string, string>() };
    keys.set(sameAs, known);
    const messages = route.grpc ? grpc(route) : undefined;
    for (const method of route.match.methods) {
      const taken = known.routes.get(method);
      if (taken !== undefined) {
        notListed.push({
          route: route.name,
          method,
          path: known.key,
          reason: `route ${taken} has the same method and OpenAPI path`,
        });
        continue;
      }
      known.routes.set(method, route.name);
      paths[known.key] ??= {};
      paths[known.key][method.toLowerCase()] = operation(route, method, {
        variables,
        names: known.names,
        shape: messages,
        schemas,
        components,
      });
    }
  }
  for (const [name, schema] of Object.entries(schemas.input.defs))
    components[`${name}.input`] = schema;
  for (const [name, schema] of Object.entries(schemas.output.defs))
    components[`${name}.output`] = schema;
  const contract = {
    paths,
    components: { schemas: components, securitySchemes: SECURITY_SCHEMES },
    ...(notListed.length > 0 ? { 'x-gateway-not-listed': notListed } : {}),
  };
  return {
    openapi: '3.1.1',
    info: {
      title: 'API gateway stack: public API',
      // The contract's own hash: upstream addresses and other settings the client never sees
      // change the table's version, not this one.
      version: createHash('sha256').update(JSON.stringify(contract)).digest('hex').slice(0, 16),
      description:
        "The gateway's routes, as its route table has them (info.version is a hash of this contract). A trailing slash on a path is accepted. Every error has the Error body.",
    },
    ...contract,
  };
}

interface OperationContext {
  /** The route's own template variables, and what the document calls them. */
  variables: readonly string[];
  names: readonly string[];
  shape: GrpcOperationShape | undefined;
  schemas: GrpcSchemaSets;
  components: Record<string, unknown>;
}

function operation(
  route: Route,
  method: HttpMethod,
  context: OperationContext,
): Record<string, unknown> {
  const { scheme, scopes } = route.auth;
  const grpcCall = route.grpc ? `, gRPC ${route.grpc.service}/${route.grpc.method}` : '';
  const notes = [
    ...(route.match.path.kind === 'prefix'
      ? [`Also every path below ${route.match.path.path} (by whole segments).`]
      : []),
    ...(route.match.hosts.length > 0 ? [`Only for hosts ${route.match.hosts.join(', ')}.`] : []),
    ...(route.grpc && !context.shape ? ['Its messages are not known to this document.'] : []),
  ];
  const parts = context.shape
    ? grpcOperationParts(context.shape, context.variables, context.names, context.schemas)
    : undefined;
  const parameters =
    parts?.parameters ??
    context.names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  const checked = route.bodySchema ? bodySchemaOf(route, context.components) : undefined;
  const requestBody = requestBodyOf(method, checked, route.grpc ? parts?.requestBody : undefined);
  // Who answers: the upstream, the upstreams sharing the route by weight, or the gateway itself.
  const answering = route.backends
    ? route.backends
        .map(
          (b) =>
            `${'upstream' in b ? b.upstream : `the gateway (${b.respond.status})`} (weight ${b.weight})`,
        )
        .join(', ')
    : (route.upstream ?? 'the gateway');
  const success = route.redirect
    ? redirectResponse(route.redirect)
    : route.respond
      ? { [String(route.respond.status)]: { description: route.respond.message } }
      : route.grpc
        ? {
            '200': {
              description: 'success',
              headers: SUCCESS_HEADERS,
              ...(parts && method !== 'HEAD'
                ? { content: { 'application/json': { schema: parts.reply } } }
                : {}),
            },
          }
        : {
            '2XX': { description: `${answering}'s answer, passed on`, headers: SUCCESS_HEADERS },
          };
  return {
    operationId: route.match.methods.length === 1 ? route.name : `${route.name}.${method}`,
    summary: `${route.name} (${route.redirect ? 'redirect' : route.respond ? `answers ${route.respond.status}` : answering}${grpcCall})`,
    ...(notes.length > 0 ? { description: notes.join(' ') } : {}),
    ...(route.match.path.kind === 'prefix' ? { 'x-gateway-path-match': 'prefix' } : {}),
    ...(route.match.hosts.length > 0 ? { 'x-gateway-hosts': route.match.hosts } : {}),
    security: securityOf(scheme, scopes),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses:
      route.upstream === null
        ? {
            ...success,
            ...withoutUpstreamErrors(
              errorResponses({
                upstream: 'the gateway',
                scheme,
                scopes,
                bodyLimit: `${route.bodyLimitBytes} bytes`,
              }),
            ),
          }
        : {
            ...success,
            ...errorResponses({
              upstream: route.upstream,
              scheme,
              scopes,
              bodyLimit: `${route.bodyLimitBytes} bytes`,
              grpc: route.grpc !== null,
            }),
            ...(route.grpc
              ? {}
              : { default: { description: `any other answer of ${answering}, passed on` } }),
          },
  };
}

/** A redirect route's answer: its status and the `Location` (redirect-route.ts builds it). */
function redirectResponse(redirect: RouteRedirect): Record<string, unknown> {
  const parts = [
    redirect.scheme && `scheme ${redirect.scheme}`,
    redirect.hostname && `host ${redirect.hostname}`,
    redirect.port !== null && `port ${redirect.port}`,
    redirect.path &&
      (redirect.path.kind === 'full'
        ? `path ${redirect.path.path}`
        : `the matched prefix replaced by ${redirect.path.prefix}`),
  ].filter(Boolean);
  return {
    [String(redirect.statusCode)]: {
      description: `redirect, answered by the gateway: the request's URL with ${parts.length > 0 ? parts.join(', ') : 'nothing changed'}`,
      headers: {
        Location: { description: 'where the request goes instead', schema: { type: 'string' } },
      },
    },
  };
}

/** A redirect route calls no upstream: none of the answers about one apply. */
function withoutUpstreamErrors(responses: Record<string, unknown>): Record<string, unknown> {
  const { '502': _bad, '503': _unavailable, '504': _late, ...rest } = responses;
  return rest;
}

const BODYLESS: readonly HttpMethod[] = ['GET', 'HEAD', 'DELETE', 'OPTIONS'];

/**
 * A route's `bodySchema` is checked first (a body it refuses gets 400), then a gRPC route's body
 * goes through its message: a body must satisfy both. Without either, a method that usually has a
 * body takes any JSON one, passed on as it is.
 */
function requestBodyOf(
  method: HttpMethod,
  checked: Record<string, unknown> | undefined,
  message: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (checked) {
    const fromMessage = (message?.content as Record<string, { schema: unknown }> | undefined)?.[
      'application/json'
    ]?.schema;
    return {
      required: true,
      content: {
        'application/json': { schema: fromMessage ? { allOf: [checked, fromMessage] } : checked },
      },
    };
  }
  if (message) return message;
  if (BODYLESS.includes(method)) return undefined;
  return {
    required: false,
    description: 'any JSON body: the gateway does not check it',
    content: { 'application/json': { schema: {} } },
  };
}

/**
 * The route's bodySchema without `$schema` (OpenAPI 3.1 is draft 2020-12 already). One that refers
 * inside itself (`#/...`) becomes the component `<route>.body`, its references re-pointed there:
 * inside the document `#` is the document.
 */
function bodySchemaOf(route: Route, components: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = route.bodySchema as JsonSchema;
  if (!JSON.stringify(schema).includes('"$ref":"#')) return schema;
  const name = `${route.name}.body`;
  components[name] = repointRefs(schema, componentRef(name));
  return { $ref: componentRef(name) };
}

function repointRefs(value: unknown, base: string): unknown {
  if (Array.isArray(value)) return value.map((v) => repointRefs(v, base));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#')
        ? base + v.slice(1)
        : repointRefs(v, base),
    ]),
  );
}

function componentRef(name: string): string {
  return `#/components/schemas/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * The route's OpenAPI path, what makes it the same path as another's (templates that differ only in variable names are the same
 * path to OpenAPI: the first route's names are kept) and its own variables.
 */
function pathOf(route: Route): { key: string; sameAs: string; variables: readonly string[] } {
  const path = route.match.path;
  if (path.kind === 'http-rule') {
    // `{name=shelves/*}` is one OpenAPI parameter `{name}`; the pattern it must match is the rule's.
    const key = path.path.replace(/\{([^}=]+)(=[^}]*)?\}/g, '{$1}');
    return { key, sameAs: key.replace(/\{[^}]*\}/g, '{}'), variables: path.variables };
  }
  if (path.kind !== 'template') return { key: path.path, sameAs: path.path, variables: [] };
  return {
    key: path.path,
    sameAs: path.path.replace(/\{[^}]*\}/g, '{}'),
    variables: path.variables,
  };
}
