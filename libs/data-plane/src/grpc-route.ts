import type { GrpcMethod, Route } from '@app/routes';
import {
  mapRequest,
  mapResponse,
  parsePathTemplate,
  type PathTemplate,
  TranscodingError,
} from '@app/transcoding';
import type { GrpcUpstream } from '@app/upstream';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import type { Message, Root, Type } from 'protobufjs';
import { editReplyHeaders } from './header-edits';
import { bodyOf, type RouteHandler, splitUrl } from './route-handler';

/** How one route's requests become calls of its method, and replies its answers. */
export interface Binding {
  readonly grpcPath: string;
  readonly requestType: Type;
  readonly responseType: Type;
  /**
   * '*' (the body is the message), a top-level field (the body is that field, the rest from the
   * path and query string), or undefined (fields from the path and query string only).
   */
  readonly body: string | undefined;
  /** A top-level reply field that is the whole answer, or undefined (the whole reply). */
  readonly responseBody: string | undefined;
  /**
   * An http-rule route's template: its variables (field paths) are read from the request path;
   * undefined for a route of the file, whose variables the matcher gives.
   */
  readonly template: PathTemplate | undefined;
  readonly serverStreaming: boolean;
}

/**
 * A route to a gRPC upstream's method, transcoded (docs/adr/0007-grpc-json-transcoding.md): the
 * JSON body (for methods with one) and the path template's variables and query string become the
 * request message, by the proto3 JSON mapping; the reply becomes the JSON answer. A request that
 * does not fit the message is a 400 naming the field; gRPC failures map as the upstream's table says.
 */
export function grpcRouteHandler(
  route: Route,
  method: GrpcMethod,
  binding: Binding,
  upstream: GrpcUpstream,
  client: Client,
): RouteHandler {
  if (binding.serverStreaming)
    return () => {
      throw new HttpException(
        { message: `${binding.grpcPath} is a server-streaming method: not served over HTTP` },
        501,
      );
    };
  const call = {
    timeoutMs: route.timeoutMs,
    maxAttempts: route.retry.maxAttempts,
    idempotent: route.retry.idempotent,
    perTryTimeoutMs: route.retry.perTryTimeoutMs,
  };
  const responseEdits = route.responseHeaders;
  const serialize = (message: Message) => Buffer.from(binding.requestType.encode(message).finish());
  const deserialize = (bytes: Buffer) => binding.responseType.decode(bytes);
  return async (request, reply, params) => {
    let message: Message;
    try {
      const fields = mapRequest(binding, {
        pathVariables: binding.template
          ? ruleVariables(binding.template, request.url)
          : definedOnly(params),
        query: request.query as Record<string, string | string[] | undefined>,
        body: bodyOf(request),
      });
      message = binding.requestType.fromObject(fields);
    } catch (err) {
      if (err instanceof TranscodingError)
        throw new BadRequestException({ message: err.message, field: err.field || undefined });
      throw err;
    }
    const answer = await upstream.unary<Message>(
      method,
      request.id,
      (metadata, options, callback) =>
        client.makeUnaryRequest(
          binding.grpcPath,
          serialize,
          deserialize,
          message,
          metadata,
          options,
          callback as (err: ServiceError | null, reply?: Message) => void,
        ),
      call,
    );
    // Not awaited: a FastifyReply is thenable and would wait for the socket to finish.
    reply.status(200).type('application/json; charset=utf-8');
    if (responseEdits) editReplyHeaders(reply, responseEdits);
    void reply.send(JSON.stringify(mapResponse(binding, answer)));
  };
}

/** How a route's requests map onto its method: the annotation's rule, or body "*" for a file route. */
export function bindingOf(route: Route, method: GrpcMethod, root: Root): Binding {
  const service = root.lookupService(method.service);
  const rpc = service.methods[method.method];
  if (!rpc) throw new HttpException(`no method ${method.service}/${method.method}`, 500);
  rpc.resolve();
  const common = {
    grpcPath: `/${method.service}/${method.method}`,
    requestType: rpc.resolvedRequestType as Type,
    responseType: rpc.resolvedResponseType as Type,
    serverStreaming: rpc.responseStream === true,
  };
  const { path } = route.match;
  if (method.httpRule && path.kind === 'http-rule')
    return {
      ...common,
      body: method.httpRule.body ?? undefined,
      responseBody: method.httpRule.responseBody ?? undefined,
      template: parsePathTemplate(path.path),
    };
  const withBody = route.match.methods.some((m) => m !== 'GET' && m !== 'DELETE' && m !== 'HEAD');
  return {
    ...common,
    body: withBody ? '*' : undefined,
    responseBody: undefined,
    template: undefined,
  };
}

/**
 * The template's variables by field path; the matcher has checked that the path fits, so a miss
 * here is a 404 as the matcher would answer. A malformed percent-encoding throws a TranscodingError.
 */
function ruleVariables(template: PathTemplate, url: string): Record<string, string> {
  const { path } = splitUrl(url);
  const variables = template.match(path.length > 1 ? path.replace(/\/$/, '') : path);
  if (!variables) throw new NotFoundException(`no route for ${path}`);
  return variables;
}

function definedOnly(params: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined) out[name] = value;
  return out;
}
