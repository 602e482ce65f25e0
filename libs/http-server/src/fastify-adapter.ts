import { REQUEST_ID_HEADER, requestIdFrom } from '@app/logging';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { IncomingMessage } from 'node:http';

/**
 * Server keep-alive outlives every client idle timeout in front of it (cloud load balancers use
 * 60 s, our gateway's upstream pool less), so a client never reuses a socket we just closed.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Bounds on what one client may hold (docs/edge-security.md). Node checks the headers and request
 * timeouts only every `timeoutCheckIntervalMs` (30 s by default), so a slow client is closed at
 * most that much after its timeout.
 */
export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  timeoutCheckIntervalMs: number;
  keepAliveTimeoutMs: number;
  /** 0 = no limit. */
  maxRequestsPerSocket: number;
  bodyLimitBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  timeoutCheckIntervalMs: 1_000,
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
  maxRequestsPerSocket: 1000,
  bodyLimitBytes: 1024 * 1024,
};

/** A certificate chain and its key (PEM), for a listener that serves HTTPS. */
export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** The Fastify adapter every HTTP listener of the stack uses; HTTPS (TLS 1.2+) with `tls`. */
export function createFastifyAdapter(
  limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  tls?: TlsCredentials,
): FastifyAdapter {
  const serverOptions = {
    headersTimeout: limits.headersTimeoutMs,
    connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
  };
  return new FastifyAdapter({
    // Fastify hands `https` (not `http`) to https.createServer, so the timeouts go in both.
    ...(tls ? { https: { ...tls, ...serverOptions, minVersion: 'TLSv1.2' as const } } : {}),
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: limits.bodyLimitBytes,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    http: serverOptions,
    // While closing, keep serving requests that arrive on open connections (Fastify then answers
    // with `Connection: close`) instead of failing them with 503: a rollout must drop nothing.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    // One request id per request: a valid incoming X-Request-ID or a new UUID (every log line of
    // the request carries it, see @app/logging's logRequests).
    genReqId: (raw: IncomingMessage) => requestIdFrom(raw.headers[REQUEST_ID_HEADER]),
  });
}
