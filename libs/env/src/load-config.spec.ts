import { gatewayEnv, webappEnv } from '@app/config';
import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(gatewayEnv, {});
    expect(config).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 8000,
      ADMIN_PORT: 9000,
      LOG_LEVEL: 'info',
      WEBAPP_URL: 'http://localhost:5000',
    });
  });

  it('coerces numbers and treats empty strings as unset', () => {
    const config = loadConfig(webappEnv, { PORT: '5055', ADMIN_PORT: '' });
    expect(config.PORT).toBe(5055);
    expect(config.ADMIN_PORT).toBe(9001);
  });

  it('names the bad variable and its value in one line', () => {
    expect(() => loadConfig(webappEnv, { PORT: 'abc' })).toThrow(ConfigError);
    expect(() => loadConfig(webappEnv, { PORT: 'abc' })).toThrow(
      /^Invalid configuration: PORT: .*\(got "abc"\)$/,
    );
    expect(() => loadConfig(webappEnv, { LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
