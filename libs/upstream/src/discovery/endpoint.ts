import type { UpstreamTarget } from './upstream-url';

/** Outlier state of one endpoint, kept by the OutlierDetector. */
export class EndpointHealth {
  consecutiveFailures = 0;
  /** Epoch ms until which the endpoint is out of rotation; 0 when it was never ejected or is back. */
  ejectedUntil = 0;
  /** Ejections that still weigh on the next ejection's length (decays while healthy). */
  ejections = 0;
  /** When the endpoint last came back into rotation (for the decay). */
  returnedAt = 0;
  /** Calls and failed calls of the current outlier interval, which began at `intervalStart`. */
  intervalCalls = 0;
  intervalFailures = 0;
  intervalStart = 0;
  /** Attempts sent to the endpoint and not ended yet (least-request balancing). */
  outstanding = 0;
}

/** What the balancer and the outlier detector need of an endpoint: its health, nothing else. */
export interface Tracked {
  readonly health: EndpointHealth;
}

export type EndpointState = 'healthy' | 'ejected' | 'probing';

/**
 * One address of an upstream: a replica. Its identity is address:port, so it keeps its outlier
 * state across DNS refreshes for as long as the name keeps listing it.
 */
export class Endpoint implements Tracked {
  readonly key: string;
  /** Where requests go: `http://<address>:<port><basePath>` (the Host header names the target). */
  readonly baseUrl: string;
  readonly health = new EndpointHealth();

  constructor(
    readonly address: string,
    readonly target: UpstreamTarget,
  ) {
    const host = address.includes(':') ? `[${address}]` : address;
    this.key = `${host}:${target.port}`;
    this.baseUrl = `http://${this.key}${target.basePath}`;
  }
}
