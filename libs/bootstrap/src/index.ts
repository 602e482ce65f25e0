// The gRPC side lives in '@app/bootstrap/grpc' so that HTTP apps never load @nestjs/microservices;
// the service variables (HOST, LOG_LEVEL, SHUTDOWN_*, GRPC_*) are imported as '@app/bootstrap/env'
// (by libs/config only).
export { bootstrapHttpService } from './bootstrap-http-service';
export { run } from './run';
