import type { GatewayConfig } from '@app/config';

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** Retry tokens earned per successful call (RETRY_BUDGET_PERCENT / 100). */
  tokenRatio: number;
  /** Size of the token bucket; retries stop while it is at most half full. */
  maxTokens: number;
}

export interface BreakerPolicy {
  errorThresholdPercent: number;
  volumeThreshold: number;
  windowMs: number;
  resetTimeoutMs: number;
}

export interface OutlierPolicy {
  consecutiveFailures: number;
  intervalMs: number;
  baseEjectionMs: number;
  maxEjectionMs: number;
  maxEjectionPercent: number;
}

export interface DiscoveryPolicy {
  /** DNS servers for upstream names; empty = the system resolver (dns.lookup). */
  dnsServers: readonly string[];
  refreshMs: number;
  /** Longest a starting gateway stays unready waiting for an upstream's first endpoint. */
  warmUpTimeoutMs: number;
}

/** How the gateway treats every upstream: the knobs of README "Traffic management", grouped. */
export interface TrafficPolicy {
  discovery: DiscoveryPolicy;
  retry: RetryPolicy;
  breaker: BreakerPolicy;
  outlier: OutlierPolicy;
}

export function trafficPolicy(config: GatewayConfig): TrafficPolicy {
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
    },
    breaker: {
      errorThresholdPercent: config.BREAKER_ERROR_THRESHOLD_PERCENT,
      volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      windowMs: config.BREAKER_WINDOW_MS,
      resetTimeoutMs: config.BREAKER_RESET_TIMEOUT_MS,
    },
    outlier: {
      consecutiveFailures: config.OUTLIER_CONSECUTIVE_FAILURES,
      intervalMs: config.OUTLIER_INTERVAL_MS,
      baseEjectionMs: config.OUTLIER_BASE_EJECTION_MS,
      maxEjectionMs: Math.max(config.OUTLIER_BASE_EJECTION_MS, config.OUTLIER_MAX_EJECTION_MS),
      maxEjectionPercent: config.OUTLIER_MAX_EJECTION_PERCENT,
    },
  };
}
