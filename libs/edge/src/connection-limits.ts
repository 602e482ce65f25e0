import type { ConnectionLimits } from '@app/http-server';
import type { HttpEdgeEnv } from './edge-env';

/** The public listener's timeouts and limits, from the HTTP_* settings. */
export function connectionLimitsOf(config: HttpEdgeEnv): ConnectionLimits {
  return {
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
    timeoutCheckIntervalMs: config.HTTP_TIMEOUT_CHECK_INTERVAL_MS,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxRequestsPerSocket: config.HTTP_MAX_REQUESTS_PER_SOCKET,
    bodyLimitBytes: config.HTTP_BODY_LIMIT_BYTES,
  };
}
