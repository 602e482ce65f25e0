import { traceExemplar, tracingEnabled } from '@app/tracing';
import type { Provider } from '@nestjs/common';
import { getToken } from '@willsoto/nestjs-prometheus';
import { Histogram, type LabelValues, register } from 'prom-client';
import { LATENCY_BUCKETS } from './latency-buckets';

export interface LatencyHistogramConfig<L extends string> {
  /** Prometheus name, ending in `_seconds`. */
  name: string;
  help: string;
  labelNames: readonly L[];
}

/**
 * A duration histogram (seconds, the shared LATENCY_BUCKETS). With tracing on, each bucket keeps the
 * trace of a recent sampled request as an exemplar, so a latency spike on a dashboard links to a
 * trace that shows it. With tracing off it is a plain histogram: nothing extra per observation.
 */
export class LatencyHistogram<L extends string> {
  readonly observe: (labels: LabelValues<L>, seconds: number) => void;
  /** Creates the series of these labels at 0 (so it exists before the first observation). */
  readonly zero: (labels: LabelValues<L>) => void;

  constructor(config: LatencyHistogramConfig<L>) {
    const options = { ...config, labelNames: [...config.labelNames], buckets: LATENCY_BUCKETS };
    if (!tracingEnabled()) {
      const histogram = new Histogram<L>(options);
      this.observe = (labels, seconds) => histogram.observe(labels, seconds);
      this.zero = (labels) => histogram.zero(labels);
      return;
    }
    // prom-client refuses exemplars on a Prometheus-format registry, because that format cannot carry
    // them; ours renders them only for scrapers that negotiate OpenMetrics (exposition.ts), so the
    // histogram joins the default registry by hand.
    const histogram = new Histogram<string>({ ...options, enableExemplars: true, registers: [] });
    register.registerMetric(histogram);
    this.observe = (labels, seconds) =>
      histogram.observe({ labels, value: seconds, exemplarLabels: traceExemplar() });
    this.zero = (labels) => histogram.zero(labels);
  }
}

const created = new Map<string, LatencyHistogram<string>>();

/**
 * A Nest provider of a LatencyHistogram, injectable with `@InjectMetric(name)`. One instance per
 * name and process, as prom-client's default registry is.
 */
export function makeLatencyHistogramProvider<L extends string>(
  config: LatencyHistogramConfig<L>,
): Provider {
  return {
    provide: getToken(config.name),
    useFactory: () => {
      if (!created.has(config.name)) created.set(config.name, new LatencyHistogram(config));
      return created.get(config.name);
    },
  };
}
