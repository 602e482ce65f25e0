import type { GrpcMethod, Route } from '@app/routes';
import { mapRequest, mapResponse, TranscodingError } from '@app/transcoding';
import type { GrpcUpstream } from '@app/upstream';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { BadRequestException, HttpException } from '@nestjs/common';
import type { Message, Root, Type } from 'protobufjs';
import type { RouteHandler } from './route-handler';

/** How one route's requests become calls of its method, and replies its answers. */
export interface Binding {
  readonly grpcPath: string;
  readonly requestType: Type;
  readonly responseType: Type;
  /** '*' (the body is the message) or undefined (fields from the path and query string). */
  readonly body: '*' | undefined;
  readonly responseBody: undefined;
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
  const call = {
    timeoutMs: route.timeoutMs,
    maxAttempts: route.retry.maxAttempts,
    idempotent: route.retry.idempotent,
  };
  const serialize = (message: Message) => Buffer.from(binding.requestType.encode(message).finish());
  const deserialize = (bytes: Buffer) => binding.responseType.decode(bytes);
  return async (request, reply, params) => {
    let message: Message;
    try {
      const fields = mapRequest(binding, {
        pathVariables: definedOnly(params),
        query: request.query as Record<string, string | string[] | undefined>,
        body: request.body ?? undefined,
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
    await reply
      .status(200)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(mapResponse(binding, answer)));
  };
}

/** The binding of a route-file gRPC route: body "*" for methods with a body, else the query. */
export function bindingOf(route: Route, method: GrpcMethod, root: Root): Binding {
  const service = root.lookupService(method.service);
  const rpc = service.methods[method.method];
  if (!rpc) throw new HttpException(`no method ${method.service}/${method.method}`, 500);
  rpc.resolve();
  const withBody = route.match.methods.some((m) => m !== 'GET' && m !== 'DELETE' && m !== 'HEAD');
  return {
    grpcPath: `/${method.service}/${method.method}`,
    requestType: rpc.resolvedRequestType as Type,
    responseType: rpc.resolvedResponseType as Type,
    body: withBody ? '*' : undefined,
    responseBody: undefined,
  };
}

function definedOnly(params: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined) out[name] = value;
  return out;
}
