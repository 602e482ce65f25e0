import type { UpstreamEnv } from './upstream-env';

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Retry tokens earned per successful call (RETRY_BUDGET_PERCENT / 100). */
  tokenRatio: number;
  /** Size of the token bucket; retries stop while it is at most half full. */
  maxTokens: number;
  /**
   * Idempotent calls: longest one attempt may wait before it is abandoned and retried on another
   * replica (within the call's deadline), so a replica that hangs cannot take the whole deadline.
   */
  perTryTimeoutMs: number;
}

export interface BreakerPolicy {
  /** Calls in a row that reached no replica and open the breaker at once (total outage). */
  consecutiveUnavailable: number;
  errorThresholdPercent: number;
  volumeThreshold: number;
  windowMs: number;
  resetTimeoutMs: number;
}

/**
 * gRFC A50's failure-percentage ejection, as both kinds of upstream apply it every outlier interval:
 * a replica with at least `requestVolume` calls in the interval, of which at least `threshold` %
 * failed, is ejected - while at least `minimumHosts` replicas exist.
 */
export const FAILURE_PERCENTAGE_EJECTION = { threshold: 50, requestVolume: 10, minimumHosts: 2 };

export interface OutlierPolicy {
  /** Failures in a row (reset, timeout, 5xx / UNAVAILABLE, DEADLINE_EXCEEDED, ...) that eject a replica. */
  consecutiveFailures: number;
  /** Every interval, failure percentages are judged and one past ejection of a healthy replica is forgotten. */
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  maxEjectionPercent: number;
}

/** gRPC upstreams: HTTP/2 pings that find a connection whose peer stopped answering. */
export interface KeepalivePolicy {
  /** A ping after this long without one (also on idle connections). */
  timeMs: number;
  /** No answer to a ping within this long closes the connection (its calls end UNAVAILABLE). */
  timeoutMs: number;
}

export interface DiscoveryPolicy {
  /** DNS servers for upstream names; empty = the system resolver (dns.lookup). */
  dnsServers: readonly string[];
  refreshMs: number;
  /** Longest a starting gateway stays unready waiting for an upstream's first endpoint. */
  warmUpTimeoutMs: number;
}

/** How the gateway treats every upstream: the knobs of docs/traffic.md, grouped. */
export interface TrafficPolicy {
  discovery: DiscoveryPolicy;
  retry: RetryPolicy;
  breaker: BreakerPolicy;
  outlier: OutlierPolicy;
  keepalive: KeepalivePolicy;
}

/** This library's options, from its part of the configuration. */
export function trafficPolicy(config: UpstreamEnv): TrafficPolicy {
  return {
    discovery: {
      dnsServers: config.DNS_SERVERS,
      refreshMs: config.UPSTREAM_DNS_REFRESH_MS,
      warmUpTimeoutMs: config.UPSTREAM_WARMUP_TIMEOUT_MS,
    },
    retry: {
      maxAttempts: config.RETRY_MAX_ATTEMPTS,
      tokenRatio: config.RETRY_BUDGET_PERCENT / 100,
      maxTokens: config.RETRY_BUDGET_MAX_TOKENS,
      perTryTimeoutMs: config.RETRY_PER_TRY_TIMEOUT_MS,
    },
    breaker: {
      consecutiveUnavailable: config.BREAKER_CONSECUTIVE_UNAVAILABLE,
      errorThresholdPercent: config.BREAKER_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      windowMs: config.BREAKER_WINDOW_MS,
      resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS,
    },
    outlier: {
      consecutiveFailures: config.WEBAPP_OUTLIER_CONSECUTIVE_FAILURES,
      intervalMs: config.OUTLIER_INTERVAL_MS,
      baseEjectionMs: config.OUTLIER_BASE_EJECTION_MS,
      maxEjectionMs: Math.max(config.OUTLIER_BASE_EJECTION_MS, config.OUTLIER_MAX_EJECTION_MS),
      maxEjectionPercent: config.OUTLIER_MAX_EJECTION_PERCENT,
    },
    keepalive: {
      timeMs: config.RPC_KEEPALIVE_TIME_MS,
      timeoutMs: config.RPC_KEEPALIVE_TIMEOUT_MS,
    },
  };
}
