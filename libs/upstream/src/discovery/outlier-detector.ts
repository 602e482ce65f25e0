import type { OutlierPolicy } from '../traffic-policy';
import type { Endpoint, EndpointState } from './endpoint';

/** How an attempt failed, as far as the endpoint's health is concerned. */
export type EndpointFailure =
  /** No connection could be made (refused, unreachable, connect timeout): ejected at once. */
  | 'connect'
  /** Reset, timeout or 5xx: ejected after OUTLIER_CONSECUTIVE_FAILURES in a row. */
  | 'response';

/**
 * Passive outlier ejection, after Envoy's: an endpoint that keeps failing leaves the rotation for
 * `base x ejections` (capped at the max), then is probed back in: its next call decides - success
 * brings it back, failure ejects it again for longer. The ejection count decays by one per healthy
 * interval. At most `maxEjectionPercent` of the endpoints (but always at least one) are out at
 * once, so a total outage still sends calls somewhere and the circuit breaker can see it.
 */
export class OutlierDetector {
  constructor(
    private readonly policy: OutlierPolicy,
    private readonly onEjection: (endpoint: Endpoint, durationMs: number) => void = () => {},
    /** The clock (tests pass a fake one). */
    readonly now: () => number = Date.now,
  ) {}

  state(endpoint: Endpoint, now = this.now()): EndpointState {
    const until = endpoint.health.ejectedUntil;
    if (until === 0) return 'healthy';
    return until > now ? 'ejected' : 'probing';
  }

  isEjected(endpoint: Endpoint, now = this.now()): boolean {
    return endpoint.health.ejectedUntil > now;
  }

  recordSuccess(endpoint: Endpoint): void {
    const health = endpoint.health;
    health.consecutiveFailures = 0;
    if (health.ejectedUntil !== 0) {
      // A successful probe: back in rotation.
      health.ejectedUntil = 0;
      health.returnedAt = this.now();
    }
  }

  recordFailure(endpoint: Endpoint, failure: EndpointFailure, all: readonly Endpoint[]): void {
    const health = endpoint.health;
    const now = this.now();
    health.consecutiveFailures++;
    if (this.isEjected(endpoint, now)) return;
    const probing = health.ejectedUntil !== 0;
    if (
      !probing &&
      failure !== 'connect' &&
      health.consecutiveFailures < this.policy.consecutiveFailures
    )
      return;
    if (!this.mayEject(all, now)) return;
    this.eject(endpoint, now);
  }

  private mayEject(all: readonly Endpoint[], now: number): boolean {
    let ejected = 0;
    for (const endpoint of all) if (this.isEjected(endpoint, now)) ejected++;
    const allowed = Math.max(1, Math.floor((all.length * this.policy.maxEjectionPercent) / 100));
    return ejected < allowed;
  }

  private eject(endpoint: Endpoint, now: number): void {
    const health = endpoint.health;
    const healthyIntervals =
      health.returnedAt === 0 ? 0 : Math.floor((now - health.returnedAt) / this.policy.intervalMs);
    health.ejections = Math.max(0, health.ejections - healthyIntervals) + 1;
    const durationMs = Math.min(
      this.policy.baseEjectionMs * health.ejections,
      this.policy.maxEjectionMs,
    );
    health.ejectedUntil = now + durationMs;
    health.consecutiveFailures = 0;
    this.onEjection(endpoint, durationMs);
  }
}
