import { FAILURE_PERCENTAGE_EJECTION, type OutlierPolicy } from '../traffic-policy';
import type { EndpointState, Tracked } from './endpoint';

/** How an attempt failed, as far as the endpoint's health is concerned. */
export type EndpointFailure =
  /** No connection could be made (refused, unreachable, connect timeout): ejected at once. */
  | 'connect'
  /** Reset, timeout or 5xx: ejected after WEBAPP_OUTLIER_CONSECUTIVE_FAILURES in a row, or by failure percentage. */
  | 'response';

/**
 * Passive outlier ejection, after Envoy's: an endpoint that keeps failing (`consecutiveFailures` in a
 * row, or FAILURE_PERCENTAGE_EJECTION over an interval - the rule grpc-js applies to gRPC
 * upstreams) leaves the rotation for `base x ejections` (capped at the max), then is probed back
 * in: its next call decides - success brings it back, failure ejects it again for longer. The
 * ejection count decays by one per interval spent healthy. Endpoints that fail their answers are ejected only while at most `maxEjectionPercent`
 * of them (but always at least one) are out: the cap guards against a problem that is not the
 * replicas' (an overloaded dependency making everyone fail), where ejecting many would overload
 * the rest. An endpoint that refuses connections is ejected regardless of the cap - it cannot
 * serve anything, as happens to every replica in turn during a rolling restart - and a total
 * outage still reaches the replicas through the round robin's panic mode.
 */
export class OutlierDetector<E extends Tracked = Tracked> {
  constructor(
    private readonly policy: OutlierPolicy,
    private readonly onEjection: (endpoint: E, durationMs: number) => void = () => {},
    /** The clock (tests pass a fake one). */
    readonly now: () => number = Date.now,
  ) {}

  state(endpoint: E, now = this.now()): EndpointState {
    const until = endpoint.health.ejectedUntil;
    if (until === 0) return 'healthy';
    return until > now ? 'ejected' : 'probing';
  }

  isEjected(endpoint: E, now = this.now()): boolean {
    return endpoint.health.ejectedUntil > now;
  }

  recordSuccess(endpoint: E): void {
    const health = endpoint.health;
    this.countCall(endpoint, false);
    health.consecutiveFailures = 0;
    if (health.ejectedUntil !== 0) {
      // A successful probe: back in rotation.
      health.ejectedUntil = 0;
      health.returnedAt = this.now();
    }
  }

  recordFailure(endpoint: E, failure: EndpointFailure, all: readonly E[]): void {
    const health = endpoint.health;
    const now = this.now();
    const failingShare = this.countCall(endpoint, true, all);
    health.consecutiveFailures++;
    if (this.isEjected(endpoint, now)) return;
    const probing = health.ejectedUntil !== 0;
    if (
      !probing &&
      failure !== 'connect' &&
      !failingShare &&
      health.consecutiveFailures < this.policy.consecutiveFailures
    )
      return;
    if (failure !== 'connect' && !this.mayEject(all, now)) return;
    this.eject(endpoint, now);
  }

  /**
   * Counts a call in the endpoint's current interval (a new one begins when it is over); returns
   * whether the interval's calls so far fail FAILURE_PERCENTAGE_EJECTION. Judged as calls come in
   * rather than at the interval's end, so an endpoint goes as soon as it has failed enough.
   */
  private countCall(endpoint: E, failed: boolean, all: readonly E[] = []): boolean {
    const health = endpoint.health;
    const now = this.now();
    if (now - health.intervalStart >= this.policy.intervalMs) {
      health.intervalStart = now;
      health.intervalCalls = 0;
      health.intervalFailures = 0;
    }
    health.intervalCalls++;
    if (failed) health.intervalFailures++;
    const { threshold, requestVolume, minimumHosts } = FAILURE_PERCENTAGE_EJECTION;
    return (
      all.length >= minimumHosts &&
      health.intervalCalls >= requestVolume &&
      health.intervalFailures * 100 >= threshold * health.intervalCalls
    );
  }

  private mayEject(all: readonly E[], now: number): boolean {
    let ejected = 0;
    for (const endpoint of all) if (this.isEjected(endpoint, now)) ejected++;
    const allowed = Math.max(1, Math.floor((all.length * this.policy.maxEjectionPercent) / 100));
    return ejected < allowed;
  }

  private eject(endpoint: E, now: number): void {
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
    health.intervalCalls = 0;
    health.intervalFailures = 0;
    this.onEjection(endpoint, durationMs);
  }
}
