import type { RouteAuth } from '@app/auth';
import { errorReply } from '@app/contracts';
import { z } from 'zod';

// What every operation of the gateway's OpenAPI documents shares, whatever it was generated from:
// the Error body, the error responses, the security alternatives and the success headers.

type Scheme = RouteAuth['scheme'];

/** JSON Schema 2020-12, the dialect of OpenAPI 3.1, without the `$schema` each one would repeat. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io });
  return rest;
}

/** `components.schemas.Error`: every error answer's body. */
export const ERROR_SCHEMA = jsonSchema(errorReply, 'output');

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

function error(description: string, headers?: Record<string, unknown>) {
  return { description, content: ERROR_CONTENT, ...(headers ? { headers } : {}) };
}

const RETRY_AFTER = { 'Retry-After': { schema: { type: 'integer', minimum: 0 } } };

export interface ErrorResponsesOf {
  upstream: string;
  scheme: Scheme;
  scopes: readonly string[];
  /** How the 413 names the body limit; default: the variable that sets it. */
  bodyLimit?: string;
  /** A gRPC upstream: its status codes become HTTP errors too (libs/upstream/src/grpc-http-status.ts). */
  grpc?: boolean;
}

/** The responses an operation may give besides its success, by who is at fault. */
export function errorResponses(of: ErrorResponsesOf): Record<string, unknown> {
  const { upstream, scheme, scopes, grpc = false } = of;
  const from = (codes: string) => (grpc ? `; or ${upstream} answered ${codes}` : '');
  return {
    '400': error(
      'malformed JSON, a body that is not an object, or a missing / invalid field (named by `field`)' +
        from('INVALID_ARGUMENT, FAILED_PRECONDITION or OUT_OF_RANGE'),
    ),
    ...(scheme === 'none' && !grpc
      ? {}
      : {
          '401': error(
            scheme === 'none'
              ? `${upstream} answered UNAUTHENTICATED`
              : 'no credentials, or invalid ones (`WWW-Authenticate` tells which scheme)' +
                  from('UNAUTHENTICATED'),
            scheme === 'none' ? undefined : { 'WWW-Authenticate': { schema: { type: 'string' } } },
          ),
        }),
    ...(scopes.length > 0 || grpc
      ? {
          '403': error(
            scopes.length > 0
              ? `the token lacks a scope: ${scopes.join(', ')}${from('PERMISSION_DENIED')}`
              : `${upstream} answered PERMISSION_DENIED`,
          ),
        }
      : {}),
    ...(grpc ? { '404': error(`${upstream} answered NOT_FOUND`) } : {}),
    '408': error('the request was not received within the request timeout'),
    ...(grpc ? { '409': error(`${upstream} answered ALREADY_EXISTS or ABORTED`) } : {}),
    '413': error(`the body is larger than ${of.bodyLimit ?? 'HTTP_BODY_LIMIT_BYTES'}`),
    '415': error('the body is not application/json'),
    '429': error('the client is over its rate limit' + from('RESOURCE_EXHAUSTED'), RETRY_AFTER),
    ...(grpc ? { '501': error(`${upstream} does not implement the method (UNIMPLEMENTED)`) } : {}),
    '502': error(`${upstream} answered with a server error, or closed the connection`),
    '503': error(`${upstream} is unreachable or its circuit breaker is open`, RETRY_AFTER),
    '504': error(`${upstream} did not answer in time`),
  };
}

/** An operation's `security`: the alternatives that satisfy its route's scheme. */
export function securityOf(scheme: Scheme, scopes: readonly string[]): Record<string, string[]>[] {
  if (scheme === 'api-key') return [{ apiKey: [] }, { apiKeyBearer: [] }];
  if (scheme === 'jwt') return [{ jwt: [...scopes] }];
  return [];
}

/** `components.securitySchemes`: what `securityOf` names. */
export const SECURITY_SCHEMES = {
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
  apiKeyBearer: {
    type: 'http',
    scheme: 'bearer',
    description: 'an API key as the bearer credential',
  },
  jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
};

/** The success answer's headers on every operation. */
export const SUCCESS_HEADERS = { 'X-Request-ID': { schema: { type: 'string' } } };
