// Its variables (HTTP_*, CORS_*, TLS_*) are imported as '@app/edge/env' (by libs/config only).
export { connectionLimitsOf } from './connection-limits';
export { EdgeModule } from './edge.module';
export { OPENAPI_PATH, openApiDocument } from './openapi-document';
export { openApiFromTable } from './openapi-from-table';
export type { GrpcOperationShape } from './openapi-grpc-operation';
export { tlsCredentialsOf } from './tls-credentials';
