import { Counter, Histogram, register } from 'prom-client';
import { prefersOpenMetrics, renderMetrics } from './exposition';

describe('prefersOpenMetrics', () => {
  it.each([
    // What Prometheus 2.x and 3.x send.
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      true,
    ],
    ['application/openmetrics-text', true],
    ['text/plain;q=0.9, application/openmetrics-text;q=0.5', false],
    ['application/openmetrics-text;q=0', false],
    ['text/plain', false],
    ['*/*', false],
    ['', false],
    [undefined, false],
  ])('%p -> %s', (accept, expected) => {
    expect(prefersOpenMetrics(accept)).toBe(expected);
  });
});

describe('renderMetrics', () => {
  const labels = { app: 'test-app' };
  const OPENMETRICS = 'application/openmetrics-text;version=1.0.0';

  beforeAll(() => {
    register.setDefaultLabels(labels);
    new Counter({ name: 'calls_total', help: 'Calls.' }).inc(3);
    // As LatencyHistogram registers it with tracing on.
    const latency = new Histogram({
      name: 'call_seconds',
      help: 'Call duration.',
      buckets: [0.1, 1],
      enableExemplars: true,
      registers: [],
    });
    register.registerMetric(latency);
    latency.observe({
      value: 0.05,
      exemplarLabels: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' },
    });
  });
  afterAll(() => register.clear());

  it('serves OpenMetrics, exemplars included, to a scraper that asks for it', async () => {
    const { contentType, body } = await renderMetrics(labels, OPENMETRICS);
    expect(contentType).toMatch(/^application\/openmetrics-text; version=1.0.0/);
    expect(body).toContain('# TYPE calls counter\ncalls_total{app="test-app"} 3\n');
    expect(body).toMatch(
      /call_seconds_bucket\{le="0.1",app="test-app"\} 1 # \{trace_id="0af7651916cd43dd8448eb211c80319c",span_id="b7ad6b7169203331"\} 0.05 \d+/,
    );
    expect(body.endsWith('# EOF\n')).toBe(true);
  });

  it('serves the Prometheus text format, without exemplars, to everyone else - before and after an OpenMetrics scrape', async () => {
    const before = await renderMetrics(labels, undefined);
    await renderMetrics(labels, OPENMETRICS);
    const after = await renderMetrics(labels, '*/*');
    for (const { contentType, body } of [before, after]) {
      expect(contentType).toMatch(/^text\/plain; version=0.0.4/);
      expect(body).toContain('# TYPE calls_total counter\ncalls_total{app="test-app"} 3\n');
      expect(body).toContain('call_seconds_bucket{le="0.1",app="test-app"} 1\n');
      expect(body).not.toContain('trace_id');
      expect(body).not.toContain('# EOF');
    }
  });
});
