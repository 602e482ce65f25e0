import { randomLoopbackNet, type Stack } from '../../process-topology/index.ts';
import { eventually } from '../support/eventually.ts';
import { testStack } from '../support/stack.ts';
import { get, postJson } from '../support/http.ts';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { SPAN_CENSUS_ARGS, spanCensus } from '../support/span-census.ts';

// Tracing off must cost nothing: the SDK and the instrumentations are not even loaded, no span is
// started, nothing is exported. Three ways to be off, one per app; the two with an endpoint point
// it at a receiver that must stay silent.
describe('tracing off', () => {
  const net = randomLoopbackNet();
  let receiver: OtlpReceiver;
  let stack: Stack;
  const requestId = `untraced-${Date.now()}`;

  beforeAll(async () => {
    receiver = await OtlpReceiver.start(`${net}.250`);
    stack = testStack({
      net,
      nodeArgs: SPAN_CENSUS_ARGS,
      env: {
        // The default: no OTEL_* variable at all.
        'webapp-1': { OTEL_SERVICE_NAME: 'not-an-exporter' },
        // An endpoint, but no trace exporter.
        'rpc-app-1': { ...receiver.env(), OTEL_TRACES_EXPORTER: 'none' },
        // An endpoint, but the SDK disabled.
        gateway: { ...receiver.env(), OTEL_SDK_DISABLED: 'true' },
      },
    });
    await stack.start();
    const headers = { 'x-request-id': requestId };
    expect((await postJson(`${stack.gatewayUrl}/projects/`, { title: 'x' }, headers)).status).toBe(
      200,
    );
    expect(
      (await postJson(`${stack.gatewayUrl}/verify/`, { id: 3, token: 't' }, headers)).status,
    ).toBe(200);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  it('log lines carry the request id but no trace context', async () => {
    for (const p of stack.all) {
      // Logs are written asynchronously: an app's lines may arrive after its answer did.
      const lines = await eventually(() => {
        const found = p.logs.filter((line) => line.request_id === requestId);
        expect(found).not.toHaveLength(0);
        return found;
      });
      for (const line of lines) {
        expect(line).not.toHaveProperty('trace_id');
        expect(line).not.toHaveProperty('span_id');
      }
    }
  });

  it('latency histograms carry no exemplars, even in OpenMetrics', async () => {
    for (const p of [stack.gateways[0], stack.rpcApps[0]]) {
      const response = await fetch(`${p.adminUrl}/metrics`, {
        headers: { accept: 'application/openmetrics-text;version=1.0.0' },
      });
      const body = await response.text();
      expect(response.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
      expect(body).toMatch(/_seconds_bucket\{/);
      expect(body).not.toContain(' # {');
    }
    expect((await get(`${stack.webapps[0].adminUrl}/metrics`)).text).not.toContain('trace_id');
  });

  describe('after shutdown', () => {
    beforeAll(() => stack.stop());

    it('no process loaded the SDK or an instrumentation, and none started a span', () => {
      for (const p of stack.all)
        expect({ app: p.name, ...spanCensus(p) }).toEqual({
          app: p.name,
          spans_started: 0,
          otel_packages: [],
        });
    });

    it('nothing reached the exporter endpoint, not even at shutdown', () => {
      expect(receiver.requests).toBe(0);
    });
  });
});
