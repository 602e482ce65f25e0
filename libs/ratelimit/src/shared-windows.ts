// What the limiter needs from a fixed-window counter store, and how a shared store fails.

/** The state of one client's counter in the current fixed window, after counting a request. */
export interface WindowHit {
  /** Requests counted in this window, the current one included. */
  count: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  resetMs: number;
}

/**
 * The shared counters of per-request mode (Redis in production), and the connection's life; an
 * interface so the failover logic is testable alone. `hit` rejects with a StoreError.
 */
export interface SharedWindows {
  readonly target: string;
  /** Resolves once connected, or with the first failure (reconnecting goes on regardless). */
  connect(): Promise<Error | undefined>;
  hit(key: string, windowMs: number): Promise<WindowHit>;
  onReady(listener: () => void): void;
  close(): void;
}

/** Why a call to the shared store failed: no answer in time, no connection, or an error reply. */
export type StoreErrorReason = 'timeout' | 'unavailable' | 'error';

/**
 * A failed call to the shared store; the decision is then made locally. (No parameter property:
 * test/e2e imports this file, and tsconfig.scripts.json allows erasable TypeScript only there.)
 */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly reason: StoreErrorReason;

  constructor(reason: StoreErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** The reason of a failed call, for metrics: a StoreError's, or `error` for anything else. */
export function storeErrorReason(err: unknown): StoreErrorReason {
  return err instanceof StoreError ? err.reason : 'error';
}
