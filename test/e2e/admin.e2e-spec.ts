import { testStack } from '../support/stack.ts';
import { get, postJson } from '../support/http.ts';
import { promtoolFindings } from '../support/promtool.ts';

// Health and metrics live on each app's admin listener; /metrics must be valid Prometheus text.
describe('admin listeners', () => {
  const stack = testStack();
  beforeAll(async () => {
    await stack.start();
    // Traffic on both routes, so request metrics exist on every app.
    await postJson(`${stack.gatewayUrl}/projects/`, { title: 'metrics' });
    await postJson(`${stack.gatewayUrl}/verify/`, { id: 3, token: 't' });
    await postJson(`${stack.gatewayUrl}/verify/`, { id: 3, token: '' });
    await get(`${stack.gatewayUrl}/some/unknown/path/123`);
  });
  afterAll(() => stack.stop());

  it('readiness and liveness answer 200 on every app', async () => {
    for (const p of stack.all) {
      const ready = await get(`${p.adminUrl}/_status/healthcheck`);
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.text)).toMatchObject({
        status: 'ok',
        info: { lifecycle: { status: 'up', phase: 'ready' } },
      });
      expect((await get(`${p.adminUrl}/_status/liveness`)).status).toBe(200);
    }
  });

  it('every app exports process metrics labelled with its name', async () => {
    for (const p of stack.all) {
      const text = (await get(`${p.adminUrl}/metrics`)).text;
      expect(text).toContain(`process_cpu_seconds_total{app="${p.app}"}`);
      expect(text).toMatch(new RegExp(`nodejs_eventloop_lag_seconds\\{app="${p.app}"\\}`));
    }
  });

  it('HTTP apps export request durations by route template; unknown paths share one label', async () => {
    const gateway = (await get(`${stack.gateways[0].adminUrl}/metrics`)).text;
    expect(gateway).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*method="POST",route="\/projects",status_code="200"[^}]*\} 1/,
    );
    expect(gateway).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*route="unmatched",status_code="404"/,
    );
    expect(gateway).not.toContain('/some/unknown/path');
    const webapp = (await get(`${stack.webapps[0].adminUrl}/metrics`)).text;
    expect(webapp).toMatch(
      /http_server_request_duration_seconds_count\{[^}]*route="\/create",status_code="200"/,
    );
  });

  it('rpc-app-1 exports gRPC server metrics by method and code', async () => {
    const text = (await get(`${stack.rpcApps[0].adminUrl}/metrics`)).text;
    expect(text).toMatch(
      /grpc_server_handled_total\{grpc_type="unary",grpc_service="userverify.UserVerify",grpc_method="VerifyUser",grpc_code="OK"[^}]*\} 1/,
    );
    expect(text).toMatch(/grpc_server_handling_seconds_count\{[^}]*grpc_code="OK"/);
  });

  it("promtool check metrics finds nothing beyond prom-client's nodejs_active_*_total gauges", async () => {
    for (const p of stack.all) {
      const unexpected = promtoolFindings((await get(`${p.adminUrl}/metrics`)).text);
      expect({ app: p.name, unexpected }).toEqual({ app: p.name, unexpected: [] });
    }
  });
});
