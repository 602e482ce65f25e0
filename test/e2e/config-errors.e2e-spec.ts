import { spawnSync } from 'node:child_process';
import { APPS, appEntry } from '../../process-topology/index.ts';

// A bad variable stops start-up with one clear line naming it - before anything listens.
describe('configuration errors', () => {
  it.each(APPS.map((app) => [app]))(
    '%s: bad PORT -> exit 1 with one JSON line naming PORT',
    (app) => {
      const result = spawnSync(process.execPath, [appEntry(app)], {
        env: { PATH: process.env.PATH, PORT: 'not-a-port', HOST: '127.0.0.1' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({
        level: 'fatal',
        service: app,
        msg: expect.stringMatching(/^Invalid configuration: PORT: .*\(got "not-a-port"\)$/),
      });
      expect(result.stdout).toBe('');
    },
  );

  it('gateway: bad LOG_LEVEL is named too', () => {
    const result = spawnSync(process.execPath, [appEntry('gateway')], {
      env: { PATH: process.env.PATH, LOG_LEVEL: 'chatty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Invalid configuration: LOG_LEVEL/);
  });
});
