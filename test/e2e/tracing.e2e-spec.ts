import {
  type AppProcess,
  type LogLine,
  randomLoopbackNet,
  type Stack,
} from '../../process-topology/index.ts';
import { testStack } from '../support/stack.ts';
import { eventually } from '../support/eventually.ts';
import { healthClient } from '../support/grpc-clients.ts';
import { get, postJson } from '../support/http.ts';
import {
  ancestry,
  formatTrace,
  OtlpReceiver,
  type ReceivedSpan,
  SPAN_KIND,
} from '../support/otlp-receiver.ts';
import { SPAN_CENSUS_ARGS, spanCensus } from '../support/span-census.ts';

/** Log lines and span batches (every 100 ms) are written asynchronously; a busy machine is slow. */
const SETTLE_MS = 15_000;

// Tracing on: the three apps export to an OTLP/HTTP receiver inside the test. One /projects/ and one
// /verify/ request must each be one trace with a span per hop, and every log line of the request, in
// every process, must carry its request id and trace id.
describe('distributed tracing and correlated logs (tracing on)', () => {
  const net = randomLoopbackNet();
  let receiver: OtlpReceiver;
  let stack: Stack;
  const run = Date.now();
  const projects = { requestId: `trace-projects-${run}`, traceId: '' };
  const verify = { requestId: `trace-verify-${run}`, traceId: '' };

  beforeAll(async () => {
    receiver = await OtlpReceiver.start(`${net}.250`);
    const env = receiver.env();
    stack = testStack({
      net,
      // webapp-1 exports only when its batch is due in a minute: its spans can only reach the
      // receiver through the flush at the end of its graceful shutdown (tested below).
      env: {
        // One Redis call per request (not the default background sync, which calls Redis outside
        // requests): this test follows a request's Redis call into its trace.
        gateway: { ...env, RATE_LIMIT_SYNC: 'per-request' },
        'rpc-app-1': env,
        'webapp-1': { ...env, OTEL_BSP_SCHEDULE_DELAY: '60000' },
      },
      nodeArgs: SPAN_CENSUS_ARGS,
      // The shared rate-limit store: the gateway calls Redis (ioredis) on every request.
      redis: true,
    });
    await stack.start();
    expect(
      (
        await postJson(
          `${stack.gatewayUrl}/projects/`,
          { title: 'traced' },
          { 'x-request-id': projects.requestId },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await postJson(
          `${stack.gatewayUrl}/verify/`,
          { id: 7, token: 't' },
          { 'x-request-id': verify.requestId },
        )
      ).status,
    ).toBe(200);
    // Probes and scrapes, which must not be traced: HTTP on every admin listener, gRPC health.
    for (const p of stack.all) {
      for (const path of ['/_status/healthcheck', '/_status/liveness', '/metrics'])
        expect((await get(`${p.adminUrl}${path}`)).status).toBe(200);
    }
    const health = healthClient(stack.rpcApps[0].address);
    expect(await health.check()).toBe('SERVING');
    health.close();
    // The trace id of each request, as the gateway logged it (written asynchronously).
    await eventually(() => {
      for (const request of [projects, verify])
        expect(accessLine(stack.gateways[0], request.requestId)).toBeDefined();
    }, SETTLE_MS);
    for (const request of [projects, verify])
      request.traceId = String(accessLine(stack.gateways[0], request.requestId)?.trace_id);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.stop();
  });

  describe('while running', () => {
    it('logs every line of a request with service, request id, trace id and span id, in all three processes', async () => {
      await eventually(() => {
        expect(linesOf(stack.gateways[0], projects.requestId)).not.toHaveLength(0);
        expect(linesOf(stack.webapps[0], projects.requestId)).not.toHaveLength(0);
        expect(linesOf(stack.gateways[0], verify.requestId)).not.toHaveLength(0);
        expect(linesOf(stack.rpcApps[0], verify.requestId)).not.toHaveLength(0);
      }, SETTLE_MS);
      for (const request of [projects, verify]) {
        const backend = request === projects ? stack.webapps[0] : stack.rpcApps[0];
        const lines = [
          ...linesOf(stack.gateways[0], request.requestId),
          ...linesOf(backend, request.requestId),
        ];
        expect(request.traceId).toMatch(/^[0-9a-f]{32}$/);
        for (const line of lines) {
          expect(line).toMatchObject({
            service: expect.stringMatching(/^(gateway|webapp-1|rpc-app-1)$/),
            request_id: request.requestId,
            trace_id: request.traceId,
            span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
          });
        }
      }
      console.log(
        [
          'one correlated log line per app:',
          JSON.stringify(accessLine(stack.gateways[0], projects.requestId)),
          JSON.stringify(accessLine(stack.webapps[0], projects.requestId)),
          JSON.stringify(linesOf(stack.rpcApps[0], verify.requestId)[0]),
        ].join('\n'),
      );
    });

    it("the gateway's access line names the route template and the upstream", () => {
      expect(accessLine(stack.gateways[0], projects.requestId)).toMatchObject({
        route: '/projects',
        upstream: 'webapp-1',
        req: { method: 'POST', url: '/projects/' },
        res: { status: 200 },
        duration_ms: expect.any(Number),
      });
      expect(accessLine(stack.gateways[0], verify.requestId)).toMatchObject({
        route: '/verify',
        upstream: 'rpc-app-1',
      });
      expect(accessLine(stack.webapps[0], projects.requestId)).toMatchObject({ route: '/create' });
    });

    it('/verify/ is one trace: gateway server span -> gateway gRPC client span -> rpc-app-1 server span', async () => {
      await eventually(
        () => expect(serverSpan(verify.traceId, 'rpc-app-1')).toBeDefined(),
        SETTLE_MS,
      );
      expectHops(
        verify.traceId,
        'POST /verify',
        'rpc-app-1',
        'grpc.userverify.UserVerify/VerifyUser',
      );
      console.log(`span tree of POST /verify/:\n${formatTrace(receiver.trace(verify.traceId))}`);
    });

    it("the gateway's Redis calls (rate limiting) are client spans of the request's trace", async () => {
      await eventually(
        () => expect(serverSpan(verify.traceId, 'rpc-app-1')).toBeDefined(),
        SETTLE_MS,
      );
      const trace = receiver.trace(verify.traceId);
      const redisCalls = trace.filter(
        (span) =>
          span.kind === SPAN_KIND.CLIENT &&
          (span.attributes['db.system'] ?? span.attributes['db.system.name']) === 'redis',
      );
      expect(redisCalls).not.toHaveLength(0);
      for (const span of redisCalls) {
        const root = ancestry(span, trace).at(-1);
        expect(root).toMatchObject({ service: 'gateway', name: 'POST /verify', parentSpanId: '' });
      }
    });

    it('log lines point at spans of the trace', async () => {
      await eventually(
        () => expect(serverSpan(verify.traceId, 'rpc-app-1')).toBeDefined(),
        SETTLE_MS,
      );
      const spanIds = new Set(receiver.trace(verify.traceId).map((span) => span.spanId));
      for (const line of [
        ...linesOf(stack.gateways[0], verify.requestId),
        ...linesOf(stack.rpcApps[0], verify.requestId),
      ])
        expect(spanIds).toContain(line.span_id);
    });
  });

  describe('after graceful shutdown', () => {
    let webappSpansBeforeShutdown: number;

    beforeAll(async () => {
      webappSpansBeforeShutdown = receiver.spans.filter((s) => s.service === 'webapp-1').length;
      await stack.stop();
    });

    it('the SDK is flushed as the last shutdown step: buffered spans reach the receiver', () => {
      expect(webappSpansBeforeShutdown).toBe(0);
      expect(serverSpan(projects.traceId, 'webapp-1')).toBeDefined();
      for (const p of stack.all)
        expect(p.logs.some((l) => l.msg === 'shutdown complete')).toBe(true);
    });

    it('/projects/ is one trace: gateway server span -> gateway HTTP client span -> webapp-1 server span', () => {
      expectHops(projects.traceId, 'POST /projects', 'webapp-1', 'POST /create');
      console.log(
        `span tree of POST /projects/:\n${formatTrace(receiver.trace(projects.traceId))}`,
      );
    });

    it('probes and scrapes created no spans (admin listeners, gRPC health)', () => {
      // Every process has exported everything by now: its last act was the shutdown flush.
      const requestTraces = new Set([projects.traceId, verify.traceId]);
      const others = receiver.spans.filter((span) => !requestTraces.has(span.traceId));
      // Besides the two requests, only the start-up of each Nest application is traced.
      expect(new Set(others.map((span) => span.name))).toEqual(new Set(['Create Nest App']));
      for (const span of receiver.spans)
        expect(`${span.name} ${JSON.stringify(span.attributes)}`).not.toMatch(
          /_status|metrics|Health|Check/,
        );
    });

    it('every process created spans (the census that proves "no spans" with tracing off can count)', () => {
      for (const p of stack.all) expect(spanCensus(p).spans_started).toBeGreaterThan(0);
    });
  });

  function serverSpan(traceId: string, service: string): ReceivedSpan | undefined {
    return receiver
      .trace(traceId)
      .find((span) => span.service === service && span.kind === SPAN_KIND.SERVER);
  }

  /** gateway server span (root) -> ... -> gateway client span -> backend server span. */
  function expectHops(
    traceId: string,
    gatewaySpanName: string,
    backend: string,
    backendSpanName: string,
  ): void {
    const trace = receiver.trace(traceId);
    const backendServer = serverSpan(traceId, backend);
    expect(backendServer).toMatchObject({ name: backendSpanName, service: backend });
    const client = trace.find((span) => span.spanId === backendServer?.parentSpanId);
    expect(client).toMatchObject({ service: 'gateway', kind: SPAN_KIND.CLIENT });
    const chain = ancestry(client as ReceivedSpan, trace);
    const root = chain[chain.length - 1];
    expect(root).toMatchObject({
      service: 'gateway',
      kind: SPAN_KIND.SERVER,
      name: gatewaySpanName,
      parentSpanId: '',
    });
    // Between the two: the gateway's own work (Nest controller and handler spans).
    for (const span of chain) expect(span.service).toBe('gateway');
    expect(new Set(trace.map((span) => span.traceId))).toEqual(new Set([traceId]));
  }
});

function linesOf(p: AppProcess, requestId: string): LogLine[] {
  return p.logs.filter((line) => line.request_id === requestId);
}

function accessLine(p: AppProcess, requestId: string): LogLine | undefined {
  return linesOf(p, requestId).find((line) => line.msg === 'request completed');
}
