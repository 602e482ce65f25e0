import type { RouteAuth } from '@app/auth';
import { errorReply, PUBLIC_API_VERSION, PUBLIC_OPERATIONS } from '@app/contracts';
import { z } from 'zod';

/** Where the gateway serves its contract: the public port, next to the API it describes. */
export const OPENAPI_PATH = '/openapi.json';

type Scheme = RouteAuth['scheme'];

export interface OpenApiAuth {
  defaultScheme: Scheme;
  routes: readonly RouteAuth[];
}

/** JSON Schema 2020-12, the dialect of OpenAPI 3.1, without the `$schema` each one would repeat. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io });
  return rest;
}

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

function error(description: string, headers?: Record<string, unknown>) {
  return { description, content: ERROR_CONTENT, ...(headers ? { headers } : {}) };
}

const RETRY_AFTER = { 'Retry-After': { schema: { type: 'integer', minimum: 0 } } };

/** The responses every operation may give besides its 200, by who is at fault. */
function errorResponses(upstream: string, scheme: Scheme, scopes: readonly string[]) {
  return {
    '400': error(
      'malformed JSON, a body that is not an object, or a missing / invalid field (named by `field`)',
    ),
    ...(scheme === 'none'
      ? {}
      : {
          '401': error('no credentials, or invalid ones (`WWW-Authenticate` tells which scheme)', {
            'WWW-Authenticate': { schema: { type: 'string' } },
          }),
        }),
    ...(scopes.length > 0 ? { '403': error(`the token lacks a scope: ${scopes.join(', ')}`) } : {}),
    '408': error('the request was not received within the request timeout'),
    '413': error('the body is larger than HTTP_BODY_LIMIT_BYTES'),
    '415': error('the body is not application/json'),
    '429': error('the client is over its rate limit', RETRY_AFTER),
    '502': error(`${upstream} answered with a server error, or closed the connection`),
    '503': error(`${upstream} is unreachable or its circuit breaker is open`, RETRY_AFTER),
    '504': error(`${upstream} did not answer in time`),
  };
}

function security(scheme: Scheme, scopes: readonly string[]) {
  if (scheme === 'api-key') return [{ apiKey: [] }, { apiKeyBearer: [] }];
  if (scheme === 'jwt') return [{ jwt: [...scopes] }];
  return [];
}

/**
 * The OpenAPI 3.1 document of the public API, generated from the zod schemas the controllers
 * validate with (PUBLIC_OPERATIONS), so it cannot drift from them; each operation's security is
 * the running configuration's. docs/openapi.json is this document for the default configuration.
 */
export function openApiDocument(auth: OpenApiAuth): Record<string, unknown> {
  const policy = (path: string) =>
    auth.routes.find((route) => route.route === path) ?? { scheme: auth.defaultScheme, scopes: [] };
  const paths = Object.fromEntries(
    PUBLIC_OPERATIONS.map((op) => {
      const { scheme, scopes } = policy(op.path);
      return [
        op.path,
        {
          [op.method]: {
            operationId: op.operationId,
            summary: op.summary,
            security: security(scheme, scopes),
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
            },
            responses: {
              '200': {
                description: 'success',
                headers: { 'X-Request-ID': { schema: { type: 'string' } } },
                content: { 'application/json': { schema: jsonSchema(op.reply, 'output') } },
              },
              ...errorResponses(op.upstream, scheme, scopes),
            },
          },
        },
      ];
    }),
  );
  return {
    openapi: '3.1.1',
    info: {
      title: 'API gateway stack: public API',
      version: PUBLIC_API_VERSION,
      description:
        'The gateway in front of webapp-1 (HTTP) and rpc-app-1 (gRPC). A trailing slash on a path is accepted. Every error has the Error body.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(errorReply, 'output') },
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        apiKeyBearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'an API key as the bearer credential',
        },
        jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}
