export { UpstreamException, type UpstreamFailure } from './upstream.exception';
export { GRPC_TO_HTTP } from './grpc-http-status';
export { type BreakerState, CircuitOpenException } from './circuit-breaker';
export { type TrafficPolicy, trafficPolicy } from './traffic-policy';
export { HttpUpstream } from './http/http-upstream';
export { type HttpUpstreamDefinition, HttpUpstreamModule } from './http/http-upstream.module';
export { GrpcUpstream, type UnaryInvoker } from './grpc/grpc-upstream';
export { type GrpcUpstreamDefinition, GrpcUpstreamModule } from './grpc/grpc-upstream.module';
export type { IdempotentMethod } from './grpc/grpc-upstream';
