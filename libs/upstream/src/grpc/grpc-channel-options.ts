import type { ChannelOptions } from '@grpc/grpc-js';
import type { TrafficPolicy } from '../traffic-policy';
import {
  LEAST_REQUEST_LB,
  type LeastRequestLbSettings,
  registerLeastRequestLb,
} from './least-request-lb';

/**
 * The grpc-js channel options that give a gRPC upstream the same traffic policy as the HTTP ones:
 * - the gateway's own load-balancing policy (least-request-lb.ts): least-request by two choices
 *   over every address the target resolves to - per call, not per connection - and the HTTP
 *   upstreams' outlier ejection (OutlierDetector: consecutive failures, DEADLINE_EXCEEDED included,
 *   and the failure percentage of an interval, at most maxEjectionPercent of replicas at once) - a
 *   dead replica drops out even sooner, as its connection fails;
 * - keepalive pings on every connection, idle ones too: a replica that stops answering (a frozen
 *   process, a lost node) loses its connection after keepalive.timeMs + timeoutMs, its calls end
 *   UNAVAILABLE (retried when idempotent) and no new call goes there until it connects again;
 * - no retries in grpc-js (no retryPolicy, no retryThrottling): GrpcUpstream retries with the
 *   mechanism and budget every upstream shares (retries.ts), so RETRY_MAX_ATTEMPTS bounds the
 *   attempts that reach the replicas. (grpc-js's transparent retry of a call that never left the
 *   client stays: nothing reached a replica.)
 * - reconnect backoff capped at the max ejection time; a call that finds every replica waiting it
 *   out has them try again first (least-request-lb.ts, ReconnectingPicker). DNS re-resolution (every refreshMs, and when
 *   connections drop, e.g. on the server's max-connection-age GOAWAY) is PollingDnsResolver's,
 *   which takes its settings typed (usePollingDnsResolver), not through these options.
 */
export function grpcChannelOptions(upstream: string, policy: TrafficPolicy): ChannelOptions {
  registerLeastRequestLb();
  const { outlier, keepalive } = policy;
  const settings: LeastRequestLbSettings = { upstream, outlier };
  const serviceConfig = { loadBalancingConfig: [{ [LEAST_REQUEST_LB]: settings }] };
  return {
    'grpc.service_config': JSON.stringify(serviceConfig),
    // The service config above is the whole policy: no TXT lookups, no config from DNS.
    'grpc.service_config_disable_resolution': 1,
    'grpc.initial_reconnect_backoff_ms': Math.min(1000, outlier.maxEjectionMs),
    'grpc.max_reconnect_backoff_ms': outlier.maxEjectionMs,
    'grpc.keepalive_time_ms': keepalive.timeMs,
    'grpc.keepalive_timeout_ms': keepalive.timeoutMs,
    'grpc.keepalive_permit_without_calls': 1,
  };
}
