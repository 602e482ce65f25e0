import { type ServiceError, status } from '@grpc/grpc-js';
import { HttpException } from '@nestjs/common';
import { GRPC_TO_HTTP } from '../grpc-http-status';
import type { UpstreamOutcome } from '../upstream-outcome';
import { UpstreamException } from '../upstream.exception';

/**
 * Turns a failed gRPC call into the gateway's answer (docs/traffic.md, gRPC status to HTTP).
 * Reasons are fixed words: grpc-js's details of UNAVAILABLE name pod addresses and Service names,
 * which a public answer must not reveal (the caller logs them).
 */
export function grpcFailure(upstream: string, err: ServiceError | null): HttpException {
  const code = err?.code ?? status.UNKNOWN;
  if (code === status.UNAVAILABLE)
    return new UpstreamException(upstream, 'unavailable', 'no replica reachable');
  if (code === status.DEADLINE_EXCEEDED)
    return new UpstreamException(upstream, 'timeout', 'DEADLINE_EXCEEDED');
  const http = GRPC_TO_HTTP[code] ?? 502;
  // The caller's fault (e.g. INVALID_ARGUMENT): the upstream's message names the field.
  if (http < 500) return new HttpException({ message: err?.details ?? status[code] }, http);
  return new UpstreamException(upstream, 'bad_response', status[code], {}, http);
}

/**
 * The outcome label of a call that ended with gRPC status `code` (a call passed through, whose
 * status the gateway only reads), by the same rule as grpcFailure's answers.
 */
export function grpcOutcome(code: number): UpstreamOutcome {
  if (code === status.OK) return 'success';
  if (code === status.UNAVAILABLE) return 'unavailable';
  if (code === status.DEADLINE_EXCEEDED) return 'timeout';
  const http = GRPC_TO_HTTP[code as status] ?? 502;
  return http < 500 ? 'client_error' : 'bad_response';
}
