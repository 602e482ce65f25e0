import { Module } from '@nestjs/common';
import { UpstreamMetrics, upstreamMetricProviders } from './upstream-metrics';
import { UpstreamStates } from './upstream-states';

/** What every upstream of the process shares: the metrics and the registry of upstream states. */
@Module({
  providers: [...upstreamMetricProviders, UpstreamMetrics, UpstreamStates],
  exports: [UpstreamMetrics, UpstreamStates],
})
export class UpstreamCoreModule {}
