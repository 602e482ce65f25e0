import type { Tracked } from './endpoint';
import type { OutlierDetector } from './outlier-detector';

const NONE: readonly never[] = [];

/**
 * Per-request least-request balancing by two choices (Envoy's LEAST_REQUEST with equal weights):
 * the first candidate is the next endpoint in round-robin order, the second a random other one;
 * the call goes to the second only if it has fewer attempts outstanding. So while every endpoint
 * answers quickly (nothing outstanding) it is exactly round robin, and an endpoint that accepts
 * requests and never answers - a frozen process, a lost node - is avoided as soon as it holds more
 * than another: a new call goes to it only while it holds no more than some other endpoint, so
 * with C calls in flight at most floor((C - 1) / 2) + 1 can be stuck on it, where blind round
 * robin lets every caller pile onto it until its timeouts eject it.
 *
 * Skips the endpoints a call already tried (a retry goes to a different replica) and ejected
 * ones; when every candidate is ejected it falls back to all of them ("panic mode", as Envoy calls
 * it): trying a maybe-dead replica beats failing without trying. Shared by both kinds of upstream
 * (HTTP endpoints; gRPC subchannels in least-request-lb.ts). No allocation per pick.
 */
export class LeastRequest<E extends Tracked> {
  private next = 0;

  constructor(
    private readonly detector: OutlierDetector<E>,
    /** Random numbers in [0, 1) (tests pass a fixed sequence). */
    private readonly random: () => number = Math.random,
  ) {}

  pick(endpoints: readonly E[], exclude: readonly E[] = NONE): E | undefined {
    const now = this.detector.now();
    return (
      this.choose(endpoints, exclude, now, true) ?? this.choose(endpoints, exclude, now, false)
    );
  }

  private choose(
    endpoints: readonly E[],
    exclude: readonly E[],
    now: number,
    skipEjected: boolean,
  ): E | undefined {
    const count = endpoints.length;
    let firstIndex = -1;
    let eligible = 0;
    for (let i = 0; i < count; i++) {
      const index = (this.next + i) % count;
      if (!this.eligible(endpoints[index], exclude, now, skipEjected)) continue;
      if (firstIndex < 0) firstIndex = index;
      eligible++;
    }
    if (firstIndex < 0) return undefined;
    this.next = (firstIndex + 1) % count;
    const first = endpoints[firstIndex];
    if (eligible === 1) return first;
    // The second choice: the skip-th of the other eligible endpoints, after the first.
    let skip = Math.floor(this.random() * (eligible - 1));
    for (let i = 1; i < count; i++) {
      const other = endpoints[(firstIndex + i) % count];
      if (!this.eligible(other, exclude, now, skipEjected)) continue;
      if (skip-- > 0) continue;
      return other.health.outstanding < first.health.outstanding ? other : first;
    }
    return first;
  }

  private eligible(endpoint: E, exclude: readonly E[], now: number, skipEjected: boolean): boolean {
    if (exclude.length > 0 && exclude.includes(endpoint)) return false;
    return !skipEjected || !this.detector.isEjected(endpoint, now);
  }
}
