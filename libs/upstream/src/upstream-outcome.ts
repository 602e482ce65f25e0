import { HttpException } from '@nestjs/common';
import { CircuitOpenException } from './circuit-breaker';
import { UpstreamException } from './upstream.exception';

/** How one upstream call ended, as the `outcome` label of the upstream metrics (bounded set). */
export type UpstreamOutcome =
  'success' | 'client_error' | 'unavailable' | 'timeout' | 'bad_response' | 'circuit_open';

export function outcomeOf(err: unknown): UpstreamOutcome {
  if (err instanceof CircuitOpenException) return 'circuit_open';
  if (err instanceof UpstreamException) return err.failure;
  if (err instanceof HttpException && err.getStatus() < 500) return 'client_error';
  return 'bad_response';
}
