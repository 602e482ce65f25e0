import { nonNegativeInt, positiveInt } from '@app/env';
import { z } from 'zod';

/**
 * The variables of every service this library composes: where it listens, how it logs, how it
 * shuts down, and for a gRPC service, its server's limits. This library's part of each app's
 * environment schema, which libs/config/src/env-schema.ts assembles (ports default per app, so the
 * assembly adds them). Only zod here: the config library imports this file (as '@app/bootstrap/env').
 */

export const serviceEnv = {
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Readiness is 503 for this long after SIGTERM before listeners close (endpoint propagation). */
  SHUTDOWN_DRAIN_DELAY_MS: nonNegativeInt.default(5000),
  /** Upper bound for in-flight work to finish once listeners close; then the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: positiveInt.default(20000),
};

/**
 * rpc-app-1's gRPC server against oversized messages, stream floods and dead peers. grpc-js
 * servers cannot enforce a minimum client ping interval; only the gateway may reach rpc-app-1
 * (the chart's NetworkPolicy).
 */
export const grpcServerEnv = {
  /**
   * Connections older than this get a GOAWAY, so clients re-resolve DNS and spread over replicas
   * added since they connected (grpc-js does not poll DNS by itself).
   */
  GRPC_MAX_CONNECTION_AGE_MS: positiveInt.default(30000),
  /** Time calls in flight on an aged-out connection get to finish before it is closed. */
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: positiveInt.default(10000),
  /** Largest request message accepted (grpc's default is 4 MiB); a larger one ends RESOURCE_EXHAUSTED. */
  GRPC_MAX_RECEIVE_MESSAGE_BYTES: positiveInt.default(1024 * 1024 + 64 * 1024),
  /** Calls in flight on one connection at once. */
  GRPC_MAX_CONCURRENT_STREAMS: positiveInt.default(100),
  /** The server pings a connection idle this long, and closes it if the ping is not answered ... */
  GRPC_KEEPALIVE_TIME_MS: positiveInt.default(60_000),
  /** ... within this. */
  GRPC_KEEPALIVE_TIMEOUT_MS: positiveInt.default(20_000),
};

export type ServiceEnv = z.infer<z.ZodObject<typeof serviceEnv>>;
export type GrpcServerEnv = z.infer<z.ZodObject<typeof grpcServerEnv>>;
