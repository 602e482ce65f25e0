import { HealthState } from '@app/health';
import { UpstreamStates } from '@app/upstream';
import { testUpstreamMetrics } from '../../upstream/src/upstream-metrics.fixture';
import { UpstreamPool } from './upstream-pool';

/** An UpstreamPool on private metrics and states, names resolved by the system (for unit tests). */
export function testUpstreamPool(): { pool: UpstreamPool; states: UpstreamStates } {
  const states = new UpstreamStates(new HealthState());
  const pool = new UpstreamPool(testUpstreamMetrics().recorder, states, {
    dnsServers: [],
    refreshMs: 60_000,
    warmUpTimeoutMs: 1000,
  });
  return { pool, states };
}
