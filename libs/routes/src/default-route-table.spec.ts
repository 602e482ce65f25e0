import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';
import { join } from 'node:path';
import { defaultRouteTable } from './default-route-table';
import { loadRouteFile } from './load-route-file';
import { routeDefaultsOf } from './route-defaults';
import type { GrpcUpstreamModel, HttpUpstreamModel } from './route-model';
import { REPO_ROOT } from './route-file.fixture';

const EXAMPLE = join(REPO_ROOT, 'docs/examples/routes.yaml');
const JWT = {
  AUTH_JWT_JWKS_URL: 'http://id.example.com/jwks.json',
  AUTH_JWT_ISSUER: 'http://id.example.com',
  AUTH_JWT_AUDIENCE: 'gateway',
};

const tableOf = (env: Record<string, string>) => {
  const config = loadConfig(gatewayEnv, env);
  return { table: defaultRouteTable(config), defaults: routeDefaultsOf(config) };
};

describe('defaultRouteTable', () => {
  it('is docs/examples/routes.yaml when every variable has its default', () => {
    const { table, defaults } = tableOf({});
    expect(loadRouteFile(EXAMPLE, defaults)).toEqual(table);
  });

  it('differs from the example as soon as a variable does', () => {
    const { table } = tableOf({ WEBAPP_URL: 'http://localhost:5001' });
    const { defaults } = tableOf({});
    expect(loadRouteFile(EXAMPLE, defaults).version).not.toBe(table.version);
  });

  it("is today's two routes: POST /projects to webapp-1's /create, POST /verify to VerifyUser", () => {
    const { table } = tableOf({});
    const [projects, verify] = table.routes;
    expect(projects).toMatchObject({
      name: 'projects',
      match: { methods: ['POST'], path: { kind: 'exact', path: '/projects' }, hosts: [] },
      upstream: 'webapp-1',
      grpc: null,
      auth: { scheme: 'none', scopes: [] },
      rateLimit: null,
      timeoutMs: 5000,
      retry: { idempotent: false, maxAttempts: 3 },
      bodyLimitBytes: 1024 * 1024,
    });
    expect(verify).toMatchObject({
      name: 'verify',
      match: { methods: ['POST'], path: { kind: 'exact', path: '/verify' } },
      upstream: 'rpc-app-1',
      grpc: { service: 'userverify.UserVerify', method: 'VerifyUser' },
      retry: { idempotent: true, maxAttempts: 3 },
    });
    expect(table.upstreams.map((upstream) => upstream.name)).toEqual(['rpc-app-1', 'webapp-1']);
  });

  it('takes the upstreams, timeouts and traffic settings from their variables', () => {
    const { table } = tableOf({
      WEBAPP_URL: 'http://webapp-a:5000, http://webapp-b:5000',
      RPC_TARGET: 'ipv4:127.0.0.21:6000,127.0.0.22:6000',
      WEBAPP_TIMEOUT_MS: '2500',
      RPC_TIMEOUT_MS: '1500',
      WEBAPP_CONNECT_TIMEOUT_MS: '300',
      RETRY_MAX_ATTEMPTS: '2',
      BREAKER_WINDOW_MS: '7000',
      OUTLIER_BASE_EJECTION_MS: '9000',
      OUTLIER_MAX_EJECTION_MS: '3000',
      HTTP_BODY_LIMIT_BYTES: '4096',
    });
    const [rpcApp, webapp] = table.upstreams as [GrpcUpstreamModel, HttpUpstreamModel];
    expect(webapp.urls).toEqual(['http://webapp-a:5000', 'http://webapp-b:5000']);
    expect(webapp.rewrite).toEqual({ prefix: '/projects', replacement: '/create' });
    expect(webapp.traffic).toMatchObject({
      timeoutMs: 2500,
      connectTimeoutMs: 300,
      retry: { maxAttempts: 2 },
      breaker: { windowMs: 7000 },
      // As the upstream library reads them: the longest ejection is never below the first.
      outlier: { baseEjectionMs: 9000, maxEjectionMs: 9000 },
    });
    expect(rpcApp.target).toBe('ipv4:127.0.0.21:6000,127.0.0.22:6000');
    expect(rpcApp.protos).toEqual([join(REPO_ROOT, 'proto/userverify.proto')]);
    expect(rpcApp.traffic.timeoutMs).toBe(1500);
    expect(table.routes.map((route) => [route.timeoutMs, route.bodyLimitBytes])).toEqual([
      [2500, 4096],
      [1500, 4096],
    ]);
  });

  it('gives each route its policies from AUTH_ROUTES and RATE_LIMIT_ROUTES, as they parse them', () => {
    const { table } = tableOf({
      ...JWT,
      AUTH_DEFAULT: 'jwt',
      AUTH_ROUTES: '/verify=jwt:users.verify+users.read,/other=none',
      RATE_LIMIT_WINDOW_MS: '60000',
      RATE_LIMIT_ROUTES: '/verify/=20/1000,/projects=200',
    });
    const [projects, verify] = table.routes;
    expect(projects.auth).toEqual({ scheme: 'jwt', scopes: [] });
    expect(verify.auth).toEqual({ scheme: 'jwt', scopes: ['users.read', 'users.verify'] });
    expect(projects.rateLimit).toEqual({ limit: 200, windowMs: 60_000 });
    expect(verify.rateLimit).toEqual({ limit: 20, windowMs: 1000 });
  });
});
