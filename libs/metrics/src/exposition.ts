import { type Metric, type OpenMetricsContentType, register, Registry } from 'prom-client';

export interface Exposition {
  contentType: string;
  body: string;
}

/**
 * The default registry in the format the scraper asks for, as Prometheus' own client libraries do:
 * OpenMetrics - the only format that carries exemplars - when the Accept header prefers it (Prometheus
 * sends `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5`), otherwise
 * the Prometheus text format (curl, promtool and older scrapers parse only that one).
 */
export async function renderMetrics(
  defaultLabels: Record<string, string>,
  accept: string | undefined,
): Promise<Exposition> {
  if (!prefersOpenMetrics(accept))
    return { contentType: register.contentType, body: await register.metrics() };
  return {
    contentType: Registry.OPENMETRICS_CONTENT_TYPE,
    body: await renderOpenMetrics(defaultLabels),
  };
}

/**
 * prom-client renders OpenMetrics by renaming each counter in place (`x_total` -> `x`), which would
 * break every later Prometheus-format scrape of the same metric. So the OpenMetrics rendering works on
 * throwaway views: objects whose prototype is the live metric (same values, same collect functions)
 * and that take the rename themselves.
 */
async function renderOpenMetrics(defaultLabels: Record<string, string>): Promise<string> {
  const renderer = new Registry<OpenMetricsContentType>();
  renderer.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  renderer.setDefaultLabels(defaultLabels);
  for (const metric of register.getMetricsAsArray())
    renderer.registerMetric(Object.create(metric) as Metric);
  return renderer.metrics();
}

/** True when the Accept header ranks OpenMetrics at least as high as the Prometheus text format. */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  let openMetrics = 0;
  let text = 0;
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = quality(params);
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text;
}

function quality(params: string[]): number {
  const q = params.find((param) => param.startsWith('q='));
  if (q === undefined) return 1;
  const value = Number(q.slice(2));
  return Number.isFinite(value) ? value : 0;
}
