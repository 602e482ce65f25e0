// Its variables (HTTP_*, CORS_*, TLS_*) are imported as '@app/edge/env' (by libs/config only).
export { connectionLimitsOf } from './connection-limits';
export { EdgeModule } from './edge.module';
export { OPENAPI_PATH, openApiDocument } from './openapi-document';
export { OpenApiPublication } from './openapi-publication';
export { tlsCredentialsOf } from './tls-credentials';
// The parts every OpenAPI operation of the gateway shares (the route table's document uses them too).
export {
  ERROR_SCHEMA,
  errorResponses,
  type ErrorResponsesOf,
  jsonSchema,
  SECURITY_SCHEMES,
  securityOf,
  SUCCESS_HEADERS,
} from './openapi-operation-parts';
