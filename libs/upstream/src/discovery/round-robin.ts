import type { Endpoint } from './endpoint';
import type { OutlierDetector } from './outlier-detector';

const NONE: readonly Endpoint[] = [];

/**
 * Per-request round robin over the endpoints in rotation, skipping those a call already tried (a
 * retry goes to a different replica). When every candidate is ejected it falls back to all of them
 * ("panic mode", as Envoy calls it): trying a maybe-dead replica beats failing without trying.
 */
export class RoundRobin {
  private next = 0;

  constructor(private readonly detector: OutlierDetector) {}

  pick(endpoints: readonly Endpoint[], exclude: readonly Endpoint[] = NONE): Endpoint | undefined {
    const now = this.detector.now();
    return this.scan(endpoints, exclude, now, true) ?? this.scan(endpoints, exclude, now, false);
  }

  private scan(
    endpoints: readonly Endpoint[],
    exclude: readonly Endpoint[],
    now: number,
    skipEjected: boolean,
  ): Endpoint | undefined {
    const count = endpoints.length;
    for (let i = 0; i < count; i++) {
      const index = (this.next + i) % count;
      const endpoint = endpoints[index];
      if (exclude.includes(endpoint)) continue;
      if (skipEjected && this.detector.isEjected(endpoint, now)) continue;
      this.next = (index + 1) % count;
      return endpoint;
    }
    return undefined;
  }
}
