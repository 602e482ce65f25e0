// Its variables are imported as '@app/upstream/env' (by libs/config only).
export { HttpUpstream } from './http/http-upstream';
export { HttpUpstreamModule } from './http/http-upstream.module';
export { GrpcUpstream } from './grpc/grpc-upstream';
export { GrpcUpstreamModule } from './grpc/grpc-upstream.module';
