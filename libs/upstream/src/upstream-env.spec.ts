import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';

// The gateway's traffic-management variables (docs/traffic.md).
describe('traffic configuration', () => {
  it('has defaults for every knob', () => {
    expect(loadConfig(gatewayEnv, {})).toMatchObject({
      WEBAPP_URL: 'http://localhost:5000',
      DNS_SERVERS: [],
      UPSTREAM_DNS_REFRESH_MS: 5000,
      WEBAPP_CONNECT_TIMEOUT_MS: 1000,
      RETRY_MAX_ATTEMPTS: 3,
      RETRY_BUDGET_PERCENT: 20,
      BREAKER_RESET_TIMEOUT_MS: 10000,
      OUTLIER_MAX_EJECTION_PERCENT: 50,
    });
  });

  it('takes a list of URLs and of DNS servers', () => {
    const config = loadConfig(gatewayEnv, {
      WEBAPP_URL: 'http://webapp-1-headless:5000, http://other:5000/api',
      DNS_SERVERS: '127.0.0.2:8053, ::1,[fd00::10]:53',
    });
    expect(config.DNS_SERVERS).toEqual(['127.0.0.2:8053', '::1', '[fd00::10]:53']);
  });

  it.each([
    [{ WEBAPP_URL: 'webapp-1:5000' }, /^Invalid configuration: WEBAPP_URL: .*http:\/\//],
    [{ WEBAPP_URL: 'https://webapp-1:5000' }, /WEBAPP_URL/],
    [
      { DNS_SERVERS: 'kube-dns.kube-system' },
      /^Invalid configuration: DNS_SERVERS: .*IP addresses/,
    ],
    [{ RETRY_MAX_ATTEMPTS: '6' }, /RETRY_MAX_ATTEMPTS/],
    [{ RETRY_BUDGET_PERCENT: '0' }, /RETRY_BUDGET_PERCENT/],
    [{ OUTLIER_MAX_EJECTION_PERCENT: '101' }, /OUTLIER_MAX_EJECTION_PERCENT/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadConfig(gatewayEnv, env)).toThrow(message);
  });

  it('refuses a DNS server in RPC_TARGET that grpc-js would silently ignore', () => {
    const target = 'dns://127.0.0.2:8053/rpc-app-1.stack.test:6000';
    expect(() => loadConfig(gatewayEnv, { RPC_TARGET: target })).toThrow(
      /^Invalid configuration: RPC_TARGET: .*GRPC_NODE_USE_ALTERNATIVE_RESOLVER=true/,
    );
    expect(
      loadConfig(gatewayEnv, { RPC_TARGET: target, GRPC_NODE_USE_ALTERNATIVE_RESOLVER: 'true' })
        .RPC_TARGET,
    ).toBe(target);
    expect(loadConfig(gatewayEnv, { RPC_TARGET: 'dns:///rpc-app-1-headless:6000' })).toBeTruthy();
  });
});
