import type { WindowHit } from './shared-windows';

/**
 * One decision, as the guard needs it: a fresh value per decision, never changed afterwards, so it
 * may be read at any time (after an await, or after the next decision).
 */
export interface Verdict {
  readonly allowed: boolean;
  /** The limit applied: the policy's, or its local share while Redis is unreachable. */
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window ends (may be 0 in its last millisecond). */
  readonly resetSeconds: number;
}

/** The verdict on a request just counted in a fixed window. */
export function verdictOfHit(hit: WindowHit, limit: number): Verdict {
  return {
    allowed: hit.count <= limit,
    limit,
    remaining: Math.max(0, limit - hit.count),
    resetSeconds: Math.ceil(hit.resetMs / 1000),
  };
}
