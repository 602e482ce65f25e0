import { gatewayEnv } from '@app/config';
import { loadConfig } from '@app/env';

const load = (env: Record<string, string>) => loadConfig(gatewayEnv, env);

describe('authentication settings of the gateway', () => {
  it('defaults: no authentication', () => {
    const config = load({});
    expect(config.AUTH_DEFAULT).toBe('none');
    expect(config.AUTH_ROUTES).toEqual([]);
  });

  it('parses per-route schemes and scopes', () => {
    const config = load({
      AUTH_ROUTES: '/verify/=jwt:users.verify+users.read, /projects=api-key',
      AUTH_API_KEYS: 'k1,k2',
      AUTH_JWT_JWKS_URL: 'https://issuer.example/jwks.json',
      AUTH_JWT_ISSUER: 'https://issuer.example',
      AUTH_JWT_AUDIENCE: 'gateway',
    });
    expect(config.AUTH_ROUTES).toEqual([
      { route: '/verify', scheme: 'jwt', scopes: ['users.verify', 'users.read'] },
      { route: '/projects', scheme: 'api-key', scopes: [] },
    ]);
    expect(config.AUTH_API_KEYS).toEqual(['k1', 'k2']);
  });

  it.each([
    [{ AUTH_ROUTES: '/verify=basic' }, /AUTH_ROUTES: expected <route>=/],
    [{ AUTH_ROUTES: '/projects=api-key:scope' }, /AUTH_ROUTES: expected/],
    [{ AUTH_ROUTES: '/a=none,/a/=none' }, /route \/a is listed twice/],
    [{ AUTH_DEFAULT: 'api-key' }, /AUTH_API_KEYS_FILE: api-key authentication needs/],
    [
      { AUTH_DEFAULT: 'jwt', AUTH_JWT_ISSUER: 'i', AUTH_JWT_AUDIENCE: 'a' },
      /AUTH_JWT_JWKS_URL: jwt/,
    ],
    [
      { AUTH_DEFAULT: 'jwt', AUTH_JWT_JWKS_URL: 'http://127.0.0.1/j', AUTH_JWT_AUDIENCE: 'a' },
      /AUTH_JWT_ISSUER/,
    ],
    [{ AUTH_JWT_JWKS_URL: 'ftp://x/j' }, /AUTH_JWT_JWKS_URL: expected an http/],
    // Checked before TLS: the first problem is the one reported.
    [
      { AUTH_DEFAULT: 'api-key', TLS_CERT_FILE: '/tls/tls.crt' },
      /AUTH_API_KEYS_FILE: api-key authentication needs/,
    ],
  ])('refuses %j', (env, message) => {
    expect(() => load(env as Record<string, string>)).toThrow(message);
  });
});
