export { bootstrapHttpService, type HttpServiceOptions } from './http-service';
export { run } from './run';
export { bootstrapGrpcService, type GrpcServiceOptions } from './grpc-service';
