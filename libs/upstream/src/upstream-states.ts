import { HealthState } from '@app/health';
import { Injectable } from '@nestjs/common';
import type { BreakerState } from './circuit-breaker';
import type { EndpointState } from './discovery/endpoint';

/** What an upstream reports about itself, read at scrape time and in the health details. */
export interface UpstreamState {
  breaker: BreakerState;
  /** Every endpoint (for gRPC: once its channel resolved) and whether it is in rotation. */
  endpoints?: Array<{ address: string; state: EndpointState }>;
  [detail: string]: unknown;
}

/**
 * The live state of every upstream of the process. The gauges read it when Prometheus scrapes, and
 * the readiness details show it - as information only: gateway readiness never depends on an
 * upstream (one bad upstream must not take every gateway out of rotation).
 */
@Injectable()
export class UpstreamStates {
  private readonly sources = new Map<string, () => UpstreamState>();

  constructor(private readonly health: HealthState) {
    health.addInfo('upstreams', () => Object.fromEntries(this.snapshot()));
  }

  /** Holds a starting gateway unready until `hasEndpoint` (see HealthState's warm-up checks). */
  warmUp(upstream: string, hasEndpoint: () => boolean, timeoutMs: number): void {
    this.health.addWarmUp(`upstream:${upstream}`, hasEndpoint, timeoutMs);
  }

  register(upstream: string, source: () => UpstreamState): void {
    this.sources.set(upstream, source);
  }

  /** An upstream that a new route table no longer has. */
  unregister(upstream: string): void {
    this.sources.delete(upstream);
  }

  snapshot(): Array<[string, UpstreamState]> {
    return [...this.sources].map(([upstream, source]) => [upstream, source()]);
  }
}
