import type { RouteAuth } from '@app/auth';
import { PUBLIC_API_VERSION, PUBLIC_OPERATIONS } from '@app/contracts';
import {
  ERROR_SCHEMA,
  errorResponses,
  jsonSchema,
  SECURITY_SCHEMES,
  securityOf,
  SUCCESS_HEADERS,
} from './openapi-operation-parts';

/** Where the gateway serves its contract: the public port, next to the API it describes. */
export const OPENAPI_PATH = '/openapi.json';

type Scheme = RouteAuth['scheme'];

export interface OpenApiAuth {
  defaultScheme: Scheme;
  routes: readonly RouteAuth[];
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
            security: securityOf(scheme, scopes),
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(op.body, 'input') } },
            },
            responses: {
              '200': {
                description: 'success',
                headers: SUCCESS_HEADERS,
                content: { 'application/json': { schema: jsonSchema(op.reply, 'output') } },
              },
              ...errorResponses({ upstream: op.upstream, scheme, scopes }),
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
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
