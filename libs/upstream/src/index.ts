// Its variables are imported as '@app/upstream/env' (by libs/config only).
export { HttpUpstream } from './http/http-upstream';
export { GrpcUpstream } from './grpc/grpc-upstream';
export {
  type CallBudget,
  type ForwardRequest,
  type ForwardResponse,
  type HttpUpstreamOptions,
} from './http/http-upstream';
export { createHttpUpstream, type OwnedHttpUpstream } from './http/create-http-upstream';
export { type GrpcCallPolicy, type GrpcUpstreamOptions } from './grpc/grpc-upstream';
export { type TrafficPolicy, type DiscoveryPolicy, trafficPolicy } from './traffic-policy';
export { UpstreamCoreModule } from './upstream-core.module';
export { UpstreamMetrics } from './upstream-metrics';
export { grpcOutcome } from './grpc/grpc-failure';
export type { UpstreamOutcome } from './upstream-outcome';
export { UpstreamStates } from './upstream-states';
export { UpstreamException } from './upstream.exception';
