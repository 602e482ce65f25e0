export { UpstreamException, type UpstreamFailure } from './upstream.exception';
export { GRPC_TO_HTTP, isClientFault } from './grpc-http-status';
