import { DNS_SERVERS_OPTION } from './polling-dns-resolver';
import type { ChannelOptions } from '@grpc/grpc-js';
import type { TrafficPolicy } from '../traffic-policy';

/** A method that is safe to call twice (it changes nothing): only those are retried. */
export interface IdempotentMethod {
  /** Fully qualified service name, e.g. "userverify.UserVerify". */
  service: string;
  method: string;
}

/** grpc-js wants durations as protobuf Duration objects. */
function duration(ms: number): { seconds: number; nanos: number } {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

/**
 * The grpc-js channel options that give a gRPC upstream the same traffic policy as the HTTP ones:
 * - round_robin over every address the target resolves to: per call, not per connection;
 * - outlier_detection around it: every interval, a replica with at least 10 calls of which at least
 *   half failed (any non-OK status) is ejected for base x ejections (capped), at most
 *   maxEjectionPercent of replicas at once - a dead replica drops out even sooner, as its
 *   connection fails;
 * - retries of UNAVAILABLE for idempotent methods only, on the next replica of the round robin,
 *   bounded by retryThrottling: the same token bucket as the HTTP retry budget;
 * - DNS re-resolution at most every refreshMs (grpc-js re-resolves when connections drop, e.g. on
 *   the server's max-connection-age GOAWAY), and reconnect backoff capped at the max ejection time.
 */
export function grpcChannelOptions(
  policy: TrafficPolicy,
  idempotentMethods: readonly IdempotentMethod[],
): ChannelOptions {
  const { retry, outlier } = policy;
  const retries = retry.maxAttempts > 1 && idempotentMethods.length > 0;
  const serviceConfig = {
    loadBalancingConfig: [
      {
        outlier_detection: {
          interval: duration(outlier.intervalMs),
          base_ejection_time: duration(outlier.baseEjectionMs),
          max_ejection_time: duration(outlier.maxEjectionMs),
          max_ejection_percent: outlier.maxEjectionPercent,
          failure_percentage_ejection: {
            threshold: 50,
            enforcement_percentage: 100,
            minimum_hosts: 2,
            request_volume: 10,
          },
          child_policy: [{ round_robin: {} }],
        },
      },
    ],
    methodConfig: retries
      ? [
          {
            name: idempotentMethods.map(({ service, method }) => ({ service, method })),
            retryPolicy: {
              maxAttempts: retry.maxAttempts,
              initialBackoff: '0.02s',
              maxBackoff: '0.2s',
              backoffMultiplier: 2,
              retryableStatusCodes: ['UNAVAILABLE'],
            },
          },
        ]
      : [],
    ...(retries && {
      retryThrottling: { maxTokens: retry.maxTokens, tokenRatio: retry.tokenRatio },
    }),
  };
  return {
    'grpc.service_config': JSON.stringify(serviceConfig),
    // The service config above is the whole policy: no TXT lookups, no config from DNS.
    'grpc.service_config_disable_resolution': 1,
    // PollingDnsResolver re-resolves this often, and reads the DNS servers here.
    'grpc.dns_min_time_between_resolutions_ms': policy.discovery.refreshMs,
    [DNS_SERVERS_OPTION]: policy.discovery.dnsServers.join(','),
    'grpc.initial_reconnect_backoff_ms': Math.min(1000, outlier.maxEjectionMs),
    'grpc.max_reconnect_backoff_ms': outlier.maxEjectionMs,
  };
}
