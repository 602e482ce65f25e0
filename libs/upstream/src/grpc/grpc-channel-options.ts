import type { ChannelOptions } from '@grpc/grpc-js';
import { FAILURE_PERCENTAGE_EJECTION, type TrafficPolicy } from '../traffic-policy';

/** grpc-js wants durations as protobuf Duration objects. */
function duration(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/**
 * The grpc-js channel options that give a gRPC upstream the same traffic policy as the HTTP ones:
 * - round_robin over every address the target resolves to: per call, not per connection;
 * - outlier_detection around it: every interval, FAILURE_PERCENTAGE_EJECTION (as the HTTP
 *   upstreams' OutlierDetector applies it; any non-OK status is a failure) ejects a replica for
 *   base x ejections (capped), at most maxEjectionPercent of replicas at once - a dead replica
 *   drops out even sooner, as its connection fails;
 * - no retries in grpc-js (no retryPolicy, no retryThrottling): GrpcUpstream retries with the
 *   mechanism and budget every upstream shares (retries.ts), so RETRY_MAX_ATTEMPTS bounds the
 *   attempts that reach the replicas. (grpc-js's transparent retry of a call that never left the
 *   client stays: nothing reached a replica.)
 * - reconnect backoff capped at the max ejection time. DNS re-resolution (every refreshMs, and when
 *   connections drop, e.g. on the server's max-connection-age GOAWAY) is PollingDnsResolver's,
 *   which takes its settings typed (usePollingDnsResolver), not through these options.
 */
export function grpcChannelOptions(policy: TrafficPolicy): ChannelOptions {
  const { outlier } = policy;
  const serviceConfig = {
    loadBalancingConfig: [
      {
        outlier_detection: {
          interval: duration(outlier.intervalMs),
          base_ejection_time: duration(outlier.baseEjectionMs),
          max_ejection_time: duration(outlier.maxEjectionMs),
          max_ejection_percent: outlier.maxEjectionPercent,
          failure_percentage_ejection: {
            threshold: FAILURE_PERCENTAGE_EJECTION.threshold,
            enforcement_percentage: 100,
            minimum_hosts: FAILURE_PERCENTAGE_EJECTION.minimumHosts,
            request_volume: FAILURE_PERCENTAGE_EJECTION.requestVolume,
          },
          child_policy: [{ round_robin: {} }],
        },
      },
    ],
  };
  return {
    'grpc.service_config': JSON.stringify(serviceConfig),
    // The service config above is the whole policy: no TXT lookups, no config from DNS.
    'grpc.service_config_disable_resolution': 1,
    'grpc.initial_reconnect_backoff_ms': Math.min(1000, outlier.maxEjectionMs),
    'grpc.max_reconnect_backoff_ms': outlier.maxEjectionMs,
  };
}
