import { Counter, Histogram, Registry } from 'prom-client';
import { UpstreamMetrics } from './upstream-metrics';

/**
 * UpstreamMetrics on a private registry, for unit tests, and a reader of what they recorded:
 * counters give the sum of matching series, histograms the sum of their _count series.
 */
export function testUpstreamMetrics() {
  const registry = new Registry();
  const counter = (name: string, labelNames: string[]) =>
    new Counter({ name, help: name, labelNames, registers: [registry] });
  const recorder = new UpstreamMetrics(
    new Histogram({
      name: 'd',
      help: 'd',
      labelNames: ['upstream', 'outcome'],
      registers: [registry],
    }),
    counter('r', ['upstream']),
    counter('e', ['upstream']),
    counter('t', ['upstream', 'state']),
  );
  // Counters: the sum of matching series; histograms: the sum of their _count series.
  const value = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getSingleMetric(name)!.get()).values
      .filter((v) =>
        [undefined, `${name}_count`].includes((v as { metricName?: string }).metricName),
      )
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((sum, v) => sum + v.value, 0);
  return { recorder, value };
}
