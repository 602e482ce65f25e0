import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  // The route file is the one source of routes: it is refused as a whole, in one line per problem.
  const gatewayFails = (env: Record<string, string>) => {
    const result = spawnSync(process.execPath, [appEntry('gateway')], {
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    return result.stderr
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
  };

  it('gateway: a variable the route file replaces, set beside ROUTES_FILE, is named', () => {
    const [msg] = gatewayFails({
      ROUTES_FILE: 'docs/examples/routes.yaml',
      WEBAPP_URL: 'http://a:1',
    });
    expect(msg).toMatch(
      /^Invalid configuration: WEBAPP_URL: not used with ROUTES_FILE; set the urls of an http upstream in docs\/examples\/routes.yaml instead/,
    );
  });

  it('gateway: a route file with an error is refused naming file, route and field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-routes-'));
    const file = join(dir, 'routes.yaml');
    writeFileSync(
      file,
      'formatVersion: 1\nupstreams:\n  web: { kind: http, urls: [http://127.0.0.1:9] }\nroutes:\n  - name: orders\n    match: { methods: [GET], path: { exact: /orders } }\n    upstream: order-svc\n',
    );
    try {
      const lines = gatewayFails({ ROUTES_FILE: file });
      expect(lines.join('\n')).toContain(
        `${file}: routes[0] "orders": upstream: no upstream named "order-svc"`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
