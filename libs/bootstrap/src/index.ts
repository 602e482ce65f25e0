// The gRPC side lives in '@app/bootstrap/grpc' so that HTTP apps never load @nestjs/microservices.
export { bootstrapHttpService } from './bootstrap-http-service';
export { run } from './run';
