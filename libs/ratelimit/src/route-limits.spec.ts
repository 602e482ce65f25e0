import { gatewayEnv } from '@app/config';
import { ConfigError, loadConfig } from '@app/env';

describe('RATE_LIMIT_ROUTES', () => {
  const parse = (value: string) => loadConfig(gatewayEnv, { RATE_LIMIT_ROUTES: value });

  it('defaults to no per-route limits', () => {
    expect(loadConfig(gatewayEnv, {}).RATE_LIMIT_ROUTES).toEqual([]);
  });

  it('reads <route>=<limit>[/<window ms>] entries, ignoring spaces and trailing slashes', () => {
    expect(parse(' /verify=20/1000, /projects/=200 ,').RATE_LIMIT_ROUTES).toEqual([
      { route: '/verify', limit: 20, windowMs: 1000 },
      { route: '/projects', limit: 200 },
    ]);
    expect(parse('/=5,/users/:id=3').RATE_LIMIT_ROUTES).toEqual([
      { route: '/', limit: 5 },
      { route: '/users/:id', limit: 3 },
    ]);
  });

  it.each([
    ['verify=20', /bad entry "verify=20"/],
    ['/verify=', /bad entry/],
    ['/verify=0', /bad entry/],
    ['/verify=20/0', /bad entry/],
    ['/verify=2.5', /bad entry/],
    ['/ver"ify=2', /bad entry/],
    ['/verify=1,/verify/=2', /route \/verify is listed twice/],
  ])('rejects %p naming the variable', (value, message) => {
    expect(() => parse(value)).toThrow(ConfigError);
    expect(() => parse(value)).toThrow(/^Invalid configuration: RATE_LIMIT_ROUTES: /);
    expect(() => parse(value)).toThrow(message);
  });
});
