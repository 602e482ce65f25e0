import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';

const load = (env: Record<string, string>) => loadConfig(gatewayEnv, env);

describe('edge settings of the gateway', () => {
  it('defaults: CORS off, bounded slow clients and bodies', () => {
    const config = load({});
    expect(config.CORS_ALLOWED_ORIGINS).toEqual([]);
    expect(config.HTTP_HEADERS_TIMEOUT_MS).toBe(10_000);
    expect(config.HTTP_REQUEST_TIMEOUT_MS).toBe(30_000);
    expect(config.HTTP_BODY_LIMIT_BYTES).toBe(1024 * 1024);
  });

  it.each([
    [{ HTTP_HEADERS_TIMEOUT_MS: '0' }, /HTTP_HEADERS_TIMEOUT_MS/],
    [
      { TLS_CERT_FILE: '/tls/tls.crt' },
      /TLS_CERT_FILE: TLS needs both TLS_CERT_FILE and TLS_KEY_FILE/,
    ],
  ])('refuses %j', (env, message) => {
    expect(() => load(env as Record<string, string>)).toThrow(message);
  });
});
