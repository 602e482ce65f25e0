import {
  fieldByJsonKey,
  jsonNameOf,
  isScalarLikeWellKnown,
  type MessageSchemaSet,
} from '@app/transcoding';
import { Type, type Field } from 'protobufjs';

/**
 * How one gRPC route's HTTP requests and replies map to its method's messages, as the data plane
 * transcodes them (a `google.api.http` binding; an HttpBinding of @app/transcoding fits). The data
 * plane has loaded the upstream's .proto files: the edge only reads the types it is handed.
 */
export interface GrpcOperationShape {
  readonly requestType: Type;
  readonly responseType: Type;
  /**
   * '*': the body is the whole request message (no query string); a top-level field name (as in
   * the .proto): the body is that field, the other fields come from the query string; undefined:
   * no body, every field not in the path comes from the query string.
   */
  readonly body: string | undefined;
  /** A top-level field of the reply sent as the whole response body; undefined: the whole reply. */
  readonly responseBody: string | undefined;
}

/** The schemas of what the transcoder reads (`input`) and writes (`output`), shared by a document. */
export interface GrpcSchemaSets {
  readonly input: MessageSchemaSet;
  readonly output: MessageSchemaSet;
}

export interface GrpcOperationParts {
  parameters: Record<string, unknown>[];
  requestBody: Record<string, unknown> | undefined;
  /** The 200 answer's body schema. */
  reply: Record<string, unknown>;
}

/**
 * The parameters, request body and reply schema of a gRPC route's operation: `pathVariables` are
 * the route template's (field paths of the request), `names` what the document calls them.
 */
export function grpcOperationParts(
  shape: GrpcOperationShape,
  pathVariables: readonly string[],
  names: readonly string[],
  schemas: GrpcSchemaSets,
): GrpcOperationParts {
  const { requestType, responseType, body, responseBody } = shape;
  const inPath = new Set<string>();
  const parameters: Record<string, unknown>[] = pathVariables.map((variable, i) => {
    const leaf = leafOf(requestType, variable);
    if (leaf) inPath.add(leaf.protoPath);
    return {
      name: names[i],
      in: 'path',
      required: true,
      schema: leaf ? schemas.input.parameter(leaf.field) : { type: 'string' },
    };
  });
  if (body !== '*') {
    for (const leaf of queryLeaves(requestType, [], [], [requestType])) {
      if (inPath.has(leaf.protoPath) || leaf.protoPath.split('.')[0] === body) continue;
      parameters.push({
        name: leaf.jsonPath,
        in: 'query',
        schema: schemas.input.parameter(leaf.field),
        ...(leaf.field.repeated ? { style: 'form', explode: true } : {}),
      });
    }
  }
  const bodyField = body === undefined || body === '*' ? undefined : requestType.fields[body];
  const requestBody =
    body === undefined
      ? undefined
      : {
          required: false,
          description:
            body === '*'
              ? `the ${requestType.name} request message in proto3 JSON (fields may also go by their .proto names); a field the path sets takes the path's value, whatever is given here`
              : `field ${body} of the ${requestType.name} request message, in proto3 JSON`,
          content: {
            'application/json': {
              schema: bodyField
                ? schemas.input.field(bodyField)
                : schemas.input.message(requestType),
            },
          },
        };
  const replyField = responseBody === undefined ? undefined : responseType.fields[responseBody];
  const reply = replyField
    ? schemas.output.field(replyField)
    : schemas.output.message(responseType);
  return { parameters, requestBody, reply };
}

interface Leaf {
  field: Field;
  /** .proto names, dotted. */
  protoPath: string;
  /** JSON names, dotted: what the query string is documented with. */
  jsonPath: string;
}

/** The field a dotted name (.proto or JSON names) sets, as the transcoder resolves it. */
function leafOf(type: Type, name: string): Leaf | undefined {
  let current = type;
  const proto: string[] = [];
  const json: string[] = [];
  const steps = name.split('.');
  for (const [i, step] of steps.entries()) {
    const field = fieldByJsonKey(current, step);
    if (!field) return undefined;
    field.resolve();
    proto.push(field.name);
    json.push(jsonNameOf(field));
    if (i === steps.length - 1)
      return { field, protoPath: proto.join('.'), jsonPath: json.join('.') };
    if (!(field.resolvedType instanceof Type)) return undefined;
    current = field.resolvedType;
  }
  return undefined;
}

/**
 * Every field a query parameter can set, as mapRequest resolves dotted names: scalars, enums and
 * the well-known types written as one string, in singular ordinary messages (not through a type
 * already on the way: a recursive message would never end); map fields cannot be set.
 */
function queryLeaves(type: Type, proto: string[], json: string[], seen: Type[]): Leaf[] {
  const leaves: Leaf[] = [];
  for (const field of type.fieldsArray) {
    field.resolve();
    if (field.map) continue;
    const protoPath = [...proto, field.name];
    const jsonPath = [...json, jsonNameOf(field)];
    const message = field.resolvedType instanceof Type ? field.resolvedType : undefined;
    if (!message || isScalarLikeWellKnown(message)) {
      leaves.push({ field, protoPath: protoPath.join('.'), jsonPath: jsonPath.join('.') });
    } else if (
      !field.repeated &&
      !message.fullName.startsWith('.google.protobuf.') &&
      !seen.includes(message)
    ) {
      leaves.push(...queryLeaves(message, protoPath, jsonPath, [...seen, message]));
    }
  }
  return leaves;
}
