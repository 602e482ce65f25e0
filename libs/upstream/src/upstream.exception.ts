import { HttpException } from '@nestjs/common';

export type UpstreamFailure =
  /** No replica could be reached (refused, reset, no address, breaker open). */
  | 'unavailable'
  /** The upstream did not answer within its time budget. */
  | 'timeout'
  /** The upstream answered with an error of its own (5xx, gRPC INTERNAL, ...). */
  | 'bad_response';

const STATUS: Record<UpstreamFailure, number> = {
  unavailable: 503,
  timeout: 504,
  bad_response: 502,
};

/**
 * A failure of an upstream call, rendered by the HTTP error filter as JSON naming the upstream:
 * `503 {"message": "webapp-1 is unavailable", "upstream": "webapp-1", "reason": "..."}`.
 */
export class UpstreamException extends HttpException {
  constructor(
    readonly upstream: string,
    readonly failure: UpstreamFailure,
    reason: string,
    /** Response headers, e.g. Retry-After while a circuit breaker is open. */
    readonly headers: Record<string, string> = {},
    status: number = STATUS[failure],
  ) {
    super({ message: messageFor(upstream, failure), upstream, reason }, status);
  }
}

function messageFor(upstream: string, failure: UpstreamFailure): string {
  switch (failure) {
    case 'unavailable':
      return `${upstream} is unavailable`;
    case 'timeout':
      return `${upstream} did not answer in time`;
    case 'bad_response':
      return `${upstream} failed to handle the request`;
  }
}
