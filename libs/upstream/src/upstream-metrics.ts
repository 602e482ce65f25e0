import { type LatencyHistogram, makeLatencyHistogramProvider } from '@app/metrics';
import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import type { BreakerState } from './circuit-breaker';
import type { EndpointState } from './discovery/endpoint';
import type { UpstreamOutcome } from './upstream-outcome';
import { UpstreamStates } from './upstream-states';

const DURATION = 'upstream_request_duration_seconds';
const RETRIES = 'upstream_retries_total';
const EJECTIONS = 'upstream_ejections_total';
const TRANSITIONS = 'upstream_circuit_breaker_transitions_total';
const BREAKER_STATE = 'upstream_circuit_breaker_state';
const ENDPOINTS = 'upstream_endpoints';

const BREAKER_STATES: BreakerState[] = ['closed', 'open', 'half_open'];
const ENDPOINT_STATES: EndpointState[] = ['healthy', 'ejected', 'probing'];

/**
 * Labels are bounded: the upstream name (one per configured upstream), the outcome and the state.
 * No per-endpoint label: pod addresses churn with every rollout and would grow the series forever.
 */
export const upstreamMetricProviders = [
  // With tracing on, each bucket links to the trace of a recent call (exemplar).
  makeLatencyHistogramProvider({
    name: DURATION,
    help: 'Duration of calls to upstreams as the gateway saw them (retries included), by upstream and outcome; _count is the call count.',
    labelNames: ['upstream', 'outcome'],
  }),
  makeCounterProvider({
    name: RETRIES,
    help: 'Retries of upstream calls (extra attempts, on another replica where possible), by upstream.',
    labelNames: ['upstream'],
  }),
  makeCounterProvider({
    name: EJECTIONS,
    help: 'Endpoints taken out of rotation by outlier detection, by upstream (HTTP upstreams).',
    labelNames: ['upstream'],
  }),
  makeCounterProvider({
    name: TRANSITIONS,
    help: 'Circuit breaker state changes, by upstream and the state entered.',
    labelNames: ['upstream', 'state'],
  }),
  makeGaugeProvider({
    name: BREAKER_STATE,
    help: 'Circuit breaker state by upstream: 1 for the current state, 0 for the others.',
    labelNames: ['upstream', 'state'],
    inject: [UpstreamStates],
    collect(this: Gauge<'upstream' | 'state'>, states: UpstreamStates) {
      this.reset();
      for (const [upstream, state] of states.snapshot())
        for (const name of BREAKER_STATES)
          this.set({ upstream, state: name }, state.breaker === name ? 1 : 0);
    },
  }),
  makeGaugeProvider({
    name: ENDPOINTS,
    help: 'Endpoints of HTTP upstreams by state: healthy, ejected, or probing (back on trial).',
    labelNames: ['upstream', 'state'],
    inject: [UpstreamStates],
    collect(this: Gauge<'upstream' | 'state'>, states: UpstreamStates) {
      this.reset();
      for (const [upstream, state] of states.snapshot()) {
        if (!state.endpoints) continue;
        for (const name of ENDPOINT_STATES)
          this.set(
            { upstream, state: name },
            state.endpoints.filter((endpoint) => endpoint.state === name).length,
          );
      }
    },
  }),
];

/** Records what happens between the gateway and its upstreams (docs/traffic.md). */
@Injectable()
export class UpstreamMetrics {
  constructor(
    @InjectMetric(DURATION) private readonly duration: LatencyHistogram<'upstream' | 'outcome'>,
    @InjectMetric(RETRIES) private readonly retries: Counter<'upstream'>,
    @InjectMetric(EJECTIONS) private readonly ejections: Counter<'upstream'>,
    @InjectMetric(TRANSITIONS) private readonly transitions: Counter<'upstream' | 'state'>,
  ) {}

  /** Exports the upstream's counters at 0 from the start, so rates and alerts see them at once. */
  register(upstream: string): void {
    this.retries.inc({ upstream }, 0);
    this.ejections.inc({ upstream }, 0);
    for (const state of BREAKER_STATES) this.transitions.inc({ upstream, state }, 0);
  }

  /** One finished call; `startedAt` is a performance.now() reading. */
  observe(upstream: string, outcome: UpstreamOutcome, startedAt: number): void {
    this.duration.observe({ upstream, outcome }, (performance.now() - startedAt) / 1000);
  }

  retried(upstream: string, count = 1): void {
    this.retries.inc({ upstream }, count);
  }

  ejected(upstream: string): void {
    this.ejections.inc({ upstream });
  }

  transition(upstream: string, state: BreakerState): void {
    this.transitions.inc({ upstream, state });
  }
}
