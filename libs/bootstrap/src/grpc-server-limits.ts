import type { GrpcServerEnv } from './service-env';

type GrpcLimitsConfig = Pick<
  GrpcServerEnv,
  | 'GRPC_MAX_RECEIVE_MESSAGE_BYTES'
  | 'GRPC_MAX_CONCURRENT_STREAMS'
  | 'GRPC_KEEPALIVE_TIME_MS'
  | 'GRPC_KEEPALIVE_TIMEOUT_MS'
>;

/**
 * grpc-js server options bounding what one client may cost: message size, concurrent calls per
 * connection, and keepalive pings that find dead peers (half-open connections of vanished pods).
 */
export function grpcServerLimits(config: GrpcLimitsConfig): Record<string, number> {
  return {
    'grpc.max_receive_message_length': config.GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    'grpc.max_concurrent_streams': config.GRPC_MAX_CONCURRENT_STREAMS,
    'grpc.keepalive_time_ms': config.GRPC_KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': config.GRPC_KEEPALIVE_TIMEOUT_MS,
  };
}
